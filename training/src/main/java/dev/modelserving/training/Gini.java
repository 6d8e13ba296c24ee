package dev.modelserving.training;

/** Class counts and their Gini impurity, for the CART trainers. */
final class Gini {

    private Gini() {}

    /** 1 - the sum of the squared class shares of {@code n} rows. */
    static double impurity(int[] counts, int n) {
        double sum = 0;
        for (int c : counts) {
            double p = (double) c / n;
            sum += p * p;
        }
        return 1 - sum;
    }

    /** How many of {@code rows} have each class (of {@code classes}). */
    static int[] counts(int[] y, int[] rows, int classes) {
        int[] counts = new int[classes];
        for (int r : rows) {
            counts[y[r]]++;
        }
        return counts;
    }
}
