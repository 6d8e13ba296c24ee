package dev.modelserving.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Synthetic red wines shaped by the published per-column statistics of the UCI red-wine-quality data set
 * ({@link PublishedStatistics}, which names the source): each measurement is drawn from a distribution with the published mean and standard deviation
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

    private static final PublishedStatistics PUBLISHED = PublishedStatistics.redWine();

    /** How each measurement is drawn and rounded: the published statistics plus the generator's own choices. */
    private record Column(PublishedStatistics.Column published, boolean skewed, int decimals) {}

    /**
     * Per measurement in the UCI order: whether it is right-skewed (drawn log-normal above its minimum) and how many
     * decimals the UCI file gives it.
     */
    private static final boolean[] SKEWED = {true, true, false, true, true, true, true, false, false, true, true};
    private static final int[] DECIMALS = {1, 3, 2, 1, 3, 0, 0, 5, 2, 2, 1};

    private static final Column[] COLUMNS = columns();

    private static Column[] columns() {
        List<PublishedStatistics.Column> published = PUBLISHED.columns();
        Column[] out = new Column[published.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Column(published.get(i), SKEWED[i], DECIMALS[i]);
        }
        return out;
    }

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
                score[w] += COLUMNS[i].published().correlationWithQuality() * z;
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
        PublishedStatistics.Column p = c.published();
        double value;
        if (c.skewed()) {
            // Log-normal above the minimum with the published mean and standard deviation.
            double m = p.mean() - p.min();
            double sigma2 = Math.log(1 + p.std() * p.std() / (m * m));
            value = p.min() + Math.exp(Math.log(m) - sigma2 / 2 + Math.sqrt(sigma2) * z);
        } else {
            value = p.mean() + p.std() * z;
        }
        double clipped = Math.max(p.min(), Math.min(p.max(), value));
        double scale = Math.pow(10, c.decimals());
        return Math.round(clipped * scale) / scale;
    }

    /** Ranks the scores and cuts them into the UCI histogram's proportions. */
    private static int[] qualitiesByRank(double[] score) {
        int n = score.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
        int total = PUBLISHED.wines();
        int[] quality = new int[n];
        int rank = 0;
        double cumulative = 0;
        List<Map.Entry<Integer, Integer>> counts = List.copyOf(PUBLISHED.qualityCounts().entrySet());
        for (int q = 0; q < counts.size(); q++) {
            cumulative += counts.get(q).getValue();
            int end = q == counts.size() - 1 ? n : (int) Math.round(cumulative / total * n);
            for (; rank < end; rank++) {
                quality[order[rank]] = counts.get(q).getKey();
            }
        }
        return quality;
    }
}
