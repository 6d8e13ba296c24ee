package dev.modelserving.training;

import dev.modelserving.model.WineFeatures;
import java.util.List;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.PMML;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;

/** Ordinary least squares of quality on the 11 measurements, exported as a PMML RegressionModel. */
public final class LinearRegressionTrainer {

    /** The fitted model: {@code quality = intercept + sum coefficients[i] * x[i]}. */
    public record LinearModel(double intercept, double[] coefficients) {

        public double predict(double[] x) {
            double y = intercept;
            for (int i = 0; i < coefficients.length; i++) {
                y += coefficients[i] * x[i];
            }
            return y;
        }

        /** A PMML RegressionModel whose inputs use the record's field names (fixed_acidity, ..., pH). */
        public PMML toPmml(String description) {
            List<String> names = PmmlDocuments.protoFieldNames();
            RegressionTable table = new RegressionTable(intercept);
            for (int i = 0; i < coefficients.length; i++) {
                table.addNumericPredictors(new NumericPredictor(names.get(i), coefficients[i]));
            }
            RegressionModel model = new RegressionModel(MiningFunction.REGRESSION,
                    PmmlDocuments.miningSchema(names), null).addRegressionTables(table);
            return PmmlDocuments.document(description, names, PmmlDocuments.continuousQuality(), model);
        }
    }

    private LinearRegressionTrainer() {}

    public static LinearModel train(double[][] x, int[] quality) {
        double[] y = new double[quality.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = quality[i];
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(y, x);
        double[] beta = ols.estimateRegressionParameters();
        double[] coefficients = new double[WineFeatures.COUNT];
        System.arraycopy(beta, 1, coefficients, 0, coefficients.length);
        return new LinearModel(beta[0], coefficients);
    }
}
