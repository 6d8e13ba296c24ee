package dev.modelserving.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Synthetic red wines shaped by the published per-column statistics of the UCI red-wine-quality data set (see
 * WINE-STATS.md): each measurement is drawn from a distribution with the published mean and standard deviation
 * (right-skewed columns from a log-normal shifted to the published minimum), clipped to the published range and
 * rounded as the UCI file rounds it. Columns are independent of each other.
 *
 * <p>The quality rule: {@code s = sum_i r_i * z_i + e}, where {@code z_i} is the standard score of measurement
 * {@code i}, {@code r_i} its published correlation with quality and {@code e ~ N(0, NOISE^2)}; the wines are then
 * ranked by {@code s} and cut into qualities 3-8 in the published histogram's proportions. So alcohol raises
 * quality and volatile acidity lowers it, as in the real data, with enough noise that no model is perfect.
 */
public final class WineGenerator {

    /** Standard deviation of the noise in the quality rule (the signal's is about 0.77). */
    public static final double NOISE = 0.5;

    /** UCI histogram of quality 3..8 (1,599 wines). */
    private static final int[] QUALITY_COUNTS = {10, 53, 681, 638, 199, 18};
    private static final int LOWEST_QUALITY = 3;

    private record Column(double mean, double std, double min, double max, double corr, boolean skewed,
            int decimals) {}

    private static final Column[] COLUMNS = {
        new Column(8.3196, 1.7411, 4.6, 15.9, +0.124, true, 1),      // fixed acidity
        new Column(0.5278, 0.1791, 0.12, 1.58, -0.391, true, 3),     // volatile acidity
        new Column(0.2710, 0.1948, 0, 1, +0.226, false, 2),          // citric acid
        new Column(2.5388, 1.4099, 0.9, 15.5, +0.014, true, 1),      // residual sugar
        new Column(0.0875, 0.0471, 0.012, 0.611, -0.129, true, 3),   // chlorides
        new Column(15.8749, 10.4602, 1, 72, -0.051, true, 0),        // free sulfur dioxide
        new Column(46.4678, 32.8953, 6, 289, -0.185, true, 0),       // total sulfur dioxide
        new Column(0.9967, 0.0019, 0.99007, 1.00369, -0.175, false, 5), // density
        new Column(3.3111, 0.1544, 2.74, 4.01, -0.058, false, 2),    // pH
        new Column(0.6581, 0.1695, 0.33, 2, +0.251, true, 2),        // sulphates
        new Column(10.4230, 1.0657, 8.4, 14.9, +0.476, true, 1),     // alcohol
    };

    private WineGenerator() {}

    /** {@code n} wines with qualities, the same for the same seed. */
    public static List<WineRow> generate(int n, long seed) {
        Random random = new Random(seed);
        double[][] features = new double[n][];
        double[] score = new double[n];
        for (int w = 0; w < n; w++) {
            features[w] = new double[COLUMNS.length];
            for (int i = 0; i < COLUMNS.length; i++) {
                double z = random.nextGaussian();
                features[w][i] = draw(COLUMNS[i], z);
                score[w] += COLUMNS[i].corr() * z;
            }
            score[w] += NOISE * random.nextGaussian();
        }
        int[] quality = qualitiesByRank(score);
        List<WineRow> rows = new ArrayList<>(n);
        for (int w = 0; w < n; w++) {
            rows.add(new WineRow(features[w], quality[w]));
        }
        return rows;
    }

    private static double draw(Column c, double z) {
        double value;
        if (c.skewed()) {
            // Log-normal above the minimum with the published mean and standard deviation.
            double m = c.mean() - c.min();
            double sigma2 = Math.log(1 + c.std() * c.std() / (m * m));
            value = c.min() + Math.exp(Math.log(m) - sigma2 / 2 + Math.sqrt(sigma2) * z);
        } else {
            value = c.mean() + c.std() * z;
        }
        double clipped = Math.max(c.min(), Math.min(c.max(), value));
        double scale = Math.pow(10, c.decimals());
        return Math.round(clipped * scale) / scale;
    }

    /** Ranks the scores and cuts them into the UCI histogram's proportions. */
    private static int[] qualitiesByRank(double[] score) {
        int n = score.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
        int total = Arrays.stream(QUALITY_COUNTS).sum();
        int[] quality = new int[n];
        int rank = 0;
        double cumulative = 0;
        for (int q = 0; q < QUALITY_COUNTS.length; q++) {
            cumulative += QUALITY_COUNTS[q];
            int end = q == QUALITY_COUNTS.length - 1 ? n : (int) Math.round(cumulative / total * n);
            for (; rank < end; rank++) {
                quality[order[rank]] = LOWEST_QUALITY + q;
            }
        }
        return quality;
    }
}
