package dev.modelserving.training;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/** Held-out measures and the baselines they are reported next to. */
public final class Metrics {

    private Metrics() {}

    /** Share of rows whose predicted class equals the true one. */
    public static double accuracy(double[][] x, int[] y, ToIntFunction<double[]> model) {
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            right += model.applyAsInt(x[i]) == y[i] ? 1 : 0;
        }
        return (double) right / x.length;
    }

    /** Root mean squared error of a regression of the quality. */
    public static double rmse(double[][] x, int[] y, ToDoubleFunction<double[]> model) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double e = model.applyAsDouble(x[i]) - y[i];
            sum += e * e;
        }
        return Math.sqrt(sum / x.length);
    }

    /** The most frequent class of the training labels. */
    public static int majorityClass(int[] train) {
        int[] counts = new int[11];
        Arrays.stream(train).forEach(q -> counts[q]++);
        int best = 0;
        for (int q = 1; q < counts.length; q++) {
            best = counts[q] > counts[best] ? q : best;
        }
        return best;
    }

    /** The mean of the training labels: the constant regression baseline. */
    public static double mean(int[] train) {
        return Arrays.stream(train).average().orElse(0);
    }
}
