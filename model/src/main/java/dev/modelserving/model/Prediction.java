package dev.modelserving.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a model said about one record.
 *
 * @param value a regression's number, or a classifier's label as a number when the label is numeric; null otherwise
 * @param label a classifier's decoded label; null for a regression
 * @param probabilities class to probability (or per-class score) where the model gives them, in the model's order of
 *     its classes; never null
 */
public record Prediction(Double value, String label, Map<String, Double> probabilities) {

    public Prediction {
        probabilities = probabilities == null || probabilities.isEmpty() ? Map.of() : ordered(probabilities);
    }

    public static Prediction regression(double value) {
        return new Prediction(value, null, Map.of());
    }

    public static Prediction classification(String label, Map<String, Double> probabilities) {
        return new Prediction(numericOrNull(label), label, probabilities);
    }

    /** An unmodifiable copy in the given order (a result lists the classes as the model does), without nulls. */
    private static Map<String, Double> ordered(Map<String, Double> probabilities) {
        Map<String, Double> copy = new LinkedHashMap<>(probabilities.size() * 2);
        probabilities.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "a class"),
                Objects.requireNonNull(v, "a probability")));
        return Collections.unmodifiableMap(copy);
    }

    /** The label as a number when it is one; text labels are told apart without a thrown exception per record. */
    private static Double numericOrNull(String label) {
        if (label == null || !mayBeNumber(label)) {
            return null;
        }
        try {
            return Double.valueOf(label);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** False for a label that {@link Double#valueOf(String)} cannot read: its first visible character starts no number. */
    private static boolean mayBeNumber(String label) {
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c > ' ') {
                return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'I' || c == 'N';
            }
        }
        return false;
    }
}
