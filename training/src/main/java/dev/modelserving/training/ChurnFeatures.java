package dev.modelserving.training;

import dev.modelserving.data.ChurnRow;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dmg.pmml.DataType;

/**
 * The churn inputs as the trainers see them: a row is a {@code double[]} in {@link ChurnRow#INPUTS} order
 * (plan, region, tenure, monthly_charges, support_calls, paperless), a categorical input holding the index of its
 * value in {@link #categories(int)} (paperless: 0 false, 1 true) and a missing input {@code NaN}. The label is
 * 0 (no) or 1 (yes), as in {@link ChurnRow#LABELS}.
 */
final class ChurnFeatures {

    static final int PLAN = 0;
    static final int REGION = 1;
    static final int TENURE = 2;
    static final int MONTHLY_CHARGES = 3;
    static final int SUPPORT_CALLS = 4;
    static final int PAPERLESS = 5;
    static final int COUNT = 6;

    private static final List<String> BOOLEANS = List.of("false", "true");

    private ChurnFeatures() {}

    static String name(int feature) {
        return ChurnRow.INPUTS.get(feature);
    }

    static boolean isCategorical(int feature) {
        return feature == PLAN || feature == REGION || feature == PAPERLESS;
    }

    /** The values of a categorical input, in code order. */
    static List<String> categories(int feature) {
        return switch (feature) {
            case PLAN -> ChurnRow.PLANS;
            case REGION -> ChurnRow.REGIONS;
            case PAPERLESS -> BOOLEANS;
            default -> throw new IllegalArgumentException(name(feature) + " is numeric");
        };
    }

    /** How the PMML documents declare the input: strings, a boolean, whole numbers or decimals. */
    static DataType dataType(int feature) {
        return switch (feature) {
            case PLAN, REGION -> DataType.STRING;
            case PAPERLESS -> DataType.BOOLEAN;
            case TENURE, SUPPORT_CALLS -> DataType.INTEGER;
            default -> DataType.DOUBLE;
        };
    }

    static double[] encode(ChurnRow row) {
        return encode(row.values());
    }

    /** Values by input name as {@link ChurnRow#values()} gives them; an input that is absent or null is NaN. */
    static double[] encode(Map<String, ?> values) {
        double[] x = new double[COUNT];
        for (int f = 0; f < COUNT; f++) {
            Object v = values.get(name(f));
            if (v == null) {
                x[f] = Double.NaN;
            } else if (isCategorical(f)) {
                int code = categories(f).indexOf(String.valueOf(v));
                if (code < 0) {
                    throw new IllegalArgumentException(name(f) + " '" + v + "' is not one of " + categories(f));
                }
                x[f] = code;
            } else {
                x[f] = ((Number) v).doubleValue();
            }
        }
        return x;
    }

    static double[][] matrix(List<ChurnRow> rows) {
        return rows.stream().map(ChurnFeatures::encode).toArray(double[][]::new);
    }

    static int[] labels(List<ChurnRow> rows) {
        return rows.stream().mapToInt(r -> r.churned() ? 1 : 0).toArray();
    }

    /** The columns of {@code features} named by {@code inputs}, in that order: the MLP's inputs. */
    static double[][] columns(double[][] features, List<String> inputs) {
        int[] index = inputs.stream().mapToInt(ChurnRow.INPUTS::indexOf).toArray();
        return Arrays.stream(features).map(x -> Arrays.stream(index).mapToDouble(i -> x[i]).toArray())
                .toArray(double[][]::new);
    }
}
