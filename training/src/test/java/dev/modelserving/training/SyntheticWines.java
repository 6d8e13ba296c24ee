package dev.modelserving.training;

import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A small seeded wine data set where quality follows alcohol (up) and volatile acidity (down), around the UCI
 * red-wine means and standard deviations.
 */
public record SyntheticWines(double[][] features, int[] quality) {

    private static final double[] MEAN = {8.32, 0.528, 0.271, 2.54, 0.0875, 15.9, 46.5, 0.9967, 3.31, 0.658, 10.42};
    private static final double[] STD = {1.74, 0.179, 0.195, 1.41, 0.0471, 10.5, 32.9, 0.0019, 0.154, 0.170, 1.07};
    private static final int VOLATILE_ACIDITY = 1;
    private static final int ALCOHOL = 10;

    public static SyntheticWines generate(int rows, long seed) {
        Random random = new Random(seed);
        double[][] features = new double[rows][WineFeatures.COUNT];
        int[] quality = new int[rows];
        for (int i = 0; i < rows; i++) {
            double[] z = new double[WineFeatures.COUNT];
            for (int j = 0; j < z.length; j++) {
                z[j] = random.nextGaussian();
                features[i][j] = Math.max(0.0001, MEAN[j] + z[j] * STD[j]);
            }
            double score = 1.2 * z[ALCOHOL] - 0.9 * z[VOLATILE_ACIDITY] + 0.3 * random.nextGaussian();
            quality[i] = (int) Math.max(3, Math.min(8, Math.round(5.5 + score)));
        }
        return new SyntheticWines(features, quality);
    }

    public List<WineRecord> records(String dataType) {
        List<WineRecord> out = new ArrayList<>(features.length);
        for (double[] row : features) {
            out.add(WineFeatures.record(dataType, row));
        }
        return out;
    }

    /** The share of the most frequent quality: what always guessing it scores. */
    public double majorityShare() {
        int[] counts = new int[9];
        Arrays.stream(quality).forEach(q -> counts[q]++);
        return (double) Arrays.stream(counts).max().orElseThrow() / quality.length;
    }
}
