package dev.modelserving.model;

import java.util.Map;

/**
 * What a model said about one record.
 *
 * @param value a regression's number, or a classifier's label as a number when the label is numeric; null otherwise
 * @param label a classifier's decoded label; null for a regression
 * @param probabilities class to probability (or per-class score) where the model gives them; never null
 */
public record Prediction(Double value, String label, Map<String, Double> probabilities) {

    public Prediction {
        probabilities = probabilities == null ? Map.of() : Map.copyOf(probabilities);
    }

    public static Prediction regression(double value) {
        return new Prediction(value, null, Map.of());
    }

    public static Prediction classification(String label, Map<String, Double> probabilities) {
        return new Prediction(numericOrNull(label), label, probabilities);
    }

    private static Double numericOrNull(String label) {
        try {
            return Double.valueOf(label);
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }
}
