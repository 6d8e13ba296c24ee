package dev.modelserving.training;

import dev.modelserving.data.ChurnRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.MissingValueTreatmentMethod;
import org.dmg.pmml.PMML;
import org.dmg.pmml.regression.CategoricalPredictor;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;

/**
 * A logistic regression of churn on the {@link ChurnFeatures} inputs, fitted by iteratively reweighted least squares
 * (Newton's method on the log-likelihood, from all-zero coefficients, no regularisation): each categorical input
 * has a coefficient per value but its first (basic, north, false: the reference, 0), each numeric input one
 * coefficient on its raw value. Exported as a PMML RegressionModel, {@code normalizationMethod="logit"}: a table
 * for yes with the intercept and the predictors, an empty one for no, so {@code P(yes) = 1 / (1 + exp(-s))}.
 *
 * <p>The mining field of support_calls carries the training median as its {@code missingValueReplacement}
 * ({@code missingValueTreatment="asMedian"}): a record without support_calls is scored as if it had the median
 * number of calls (jpmml does the replacement).
 */
public final class LogisticRegressionTrainer {

    /** Newton steps stop when no coefficient moves more than this, or after {@value #MAX_STEPS} steps. */
    static final double TOLERANCE = 1e-10;
    static final int MAX_STEPS = 50;

    /**
     * One term of the score: {@code coefficient} times the input (numeric), or times 1 when the input has the value
     * {@code value} (categorical; -1 for a numeric input).
     */
    public record Term(int feature, int value, double coefficient) {

        double of(double[] x) {
            return coefficient * (value < 0 ? x[feature] : x[feature] == value ? 1 : 0);
        }
    }

    /**
     * The fitted model: {@code s = intercept + sum of the terms}, {@code P(yes) = 1 / (1 + exp(-s))}.
     *
     * @param supportCallsMedian the lower median of the training customers' support calls (a whole number), what
     *     a missing support_calls is taken to be
     * @param steps the Newton steps the fit took
     */
    public record LogisticModel(double intercept, List<Term> terms, int supportCallsMedian, int steps) {

        /** P(yes) for an encoded customer; a missing (NaN) support_calls counts as the median, as in the document. */
        public double probability(double[] x) {
            double[] filled = x;
            if (Double.isNaN(x[ChurnFeatures.SUPPORT_CALLS])) {
                filled = x.clone();
                filled[ChurnFeatures.SUPPORT_CALLS] = supportCallsMedian;
            }
            double s = intercept;
            for (Term t : terms) {
                s += t.of(filled);
            }
            return 1 / (1 + Math.exp(-s));
        }

        /** 1 (yes) when P(yes) is over one half, else 0 (no). */
        public int predict(double[] x) {
            return probability(x) > 0.5 ? 1 : 0;
        }

        public PMML toPmml(String description) {
            RegressionTable yes = new RegressionTable(intercept).setTargetCategory(ChurnRow.LABELS.get(1));
            for (Term t : terms) {
                String name = ChurnFeatures.name(t.feature());
                if (t.value() < 0) {
                    yes.addNumericPredictors(new NumericPredictor(name, t.coefficient()));
                } else {
                    yes.addCategoricalPredictors(new CategoricalPredictor(name,
                            ChurnFeatures.categories(t.feature()).get(t.value()), t.coefficient()));
                }
            }
            RegressionTable no = new RegressionTable(0).setTargetCategory(ChurnRow.LABELS.get(0));
            MiningSchema schema = ChurnPmml.miningSchema();
            for (MiningField field : schema.getMiningFields()) {
                if (field.getName().equals(ChurnRow.SUPPORT_CALLS)) {
                    field.setMissingValueReplacement(supportCallsMedian)
                            .setMissingValueTreatment(MissingValueTreatmentMethod.AS_MEDIAN);
                }
            }
            RegressionModel model = new RegressionModel(MiningFunction.CLASSIFICATION, schema, null)
                    .setNormalizationMethod(RegressionModel.NormalizationMethod.LOGIT)
                    .addRegressionTables(yes, no)
                    .setOutput(ChurnPmml.probabilityOutputs());
            return PmmlDocuments.document(description, ChurnPmml.dictionary(), model);
        }
    }

    private LogisticRegressionTrainer() {}

    /** Fits encoded customers {@code x} (no NaN) with labels {@code y} (0 no, 1 yes). */
    public static LogisticModel train(double[][] x, int[] y) {
        List<Term> shape = terms();
        int p = shape.size() + 1;
        double[][] design = new double[x.length][p];
        for (int i = 0; i < x.length; i++) {
            design[i][0] = 1;
            for (int j = 0; j < shape.size(); j++) {
                design[i][j + 1] = shape.get(j).of(x[i]);
            }
        }
        double[] beta = new double[p];
        int steps = 0;
        double moved = Double.POSITIVE_INFINITY;
        while (moved > TOLERANCE && steps < MAX_STEPS) {
            double[] step = newtonStep(design, y, beta);
            moved = 0;
            for (int j = 0; j < p; j++) {
                beta[j] += step[j];
                moved = Math.max(moved, Math.abs(step[j]));
            }
            steps++;
        }
        List<Term> terms = new ArrayList<>();
        for (int j = 0; j < shape.size(); j++) {
            terms.add(new Term(shape.get(j).feature(), shape.get(j).value(), beta[j + 1]));
        }
        return new LogisticModel(beta[0], List.copyOf(terms), lowerMedian(x, ChurnFeatures.SUPPORT_CALLS), steps);
    }

    /** Every term with coefficient 1: the design matrix's columns after the intercept, in input order. */
    private static List<Term> terms() {
        List<Term> terms = new ArrayList<>();
        for (int f = 0; f < ChurnFeatures.COUNT; f++) {
            if (ChurnFeatures.isCategorical(f)) {
                for (int v = 1; v < ChurnFeatures.categories(f).size(); v++) {
                    terms.add(new Term(f, v, 1));
                }
            } else {
                terms.add(new Term(f, -1, 1));
            }
        }
        return terms;
    }

    /** {@code (X' W X)^-1 X' (y - p)} with {@code p = sigmoid(X beta)} and {@code W = diag(p (1 - p))}. */
    private static double[] newtonStep(double[][] design, int[] y, double[] beta) {
        int p = beta.length;
        double[][] hessian = new double[p][p];
        double[] gradient = new double[p];
        for (int i = 0; i < design.length; i++) {
            double s = 0;
            for (int j = 0; j < p; j++) {
                s += design[i][j] * beta[j];
            }
            double prob = 1 / (1 + Math.exp(-s));
            double w = prob * (1 - prob);
            for (int j = 0; j < p; j++) {
                gradient[j] += design[i][j] * (y[i] - prob);
                for (int k = 0; k < p; k++) {
                    hessian[j][k] += w * design[i][j] * design[i][k];
                }
            }
        }
        RealVector step = new CholeskyDecomposition(new Array2DRowRealMatrix(hessian, false)).getSolver()
                .solve(new ArrayRealVector(gradient, false));
        return step.toArray();
    }

    private static int lowerMedian(double[][] x, int feature) {
        double[] values = Arrays.stream(x).mapToDouble(r -> r[feature]).sorted().toArray();
        return (int) values[(values.length - 1) / 2];
    }
}
