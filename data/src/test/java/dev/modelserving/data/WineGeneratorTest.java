package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.junit.jupiter.api.Test;

class WineGeneratorTest {

    private static final List<WineRow> WINES = WineGenerator.generate(Regenerate.WINES, Regenerate.DATA_SEED);

    // Published statistics (WINE-STATS.md), UCI column order.
    private static final double[] MEAN = {8.3196, 0.5278, 0.2710, 2.5388, 0.0875, 15.8749, 46.4678, 0.9967, 3.3111,
            0.6581, 10.4230};
    private static final double[] STD = {1.7411, 0.1791, 0.1948, 1.4099, 0.0471, 10.4602, 32.8953, 0.0019, 0.1544,
            0.1695, 1.0657};
    private static final double[] MIN = {4.6, 0.12, 0, 0.9, 0.012, 1, 6, 0.99007, 2.74, 0.33, 8.4};
    private static final double[] MAX = {15.9, 1.58, 1, 15.5, 0.611, 72, 289, 1.00369, 4.01, 2, 14.9};

    @Test
    void theSameSeedGivesTheSameWines() {
        List<WineRow> again = WineGenerator.generate(Regenerate.WINES, Regenerate.DATA_SEED);
        for (int i = 0; i < WINES.size(); i++) {
            assertThat(again.get(i).features()).containsExactly(WINES.get(i).features());
            assertThat(again.get(i).quality()).isEqualTo(WINES.get(i).quality());
        }
    }

    @Test
    void everyColumnFollowsThePublishedMeanSpreadAndRange() {
        for (int c = 0; c < MEAN.length; c++) {
            int col = c;
            double[] column = column(c);
            double mean = java.util.Arrays.stream(column).average().orElseThrow();
            double std = Math.sqrt(java.util.Arrays.stream(column).map(v -> (v - mean) * (v - mean)).sum()
                    / (column.length - 1));
            assertThat(mean).as("mean of column %d", c).isCloseTo(MEAN[c], within(0.1 * STD[c]));
            assertThat(std).as("std of column %d", c).isCloseTo(STD[c], within(0.15 * STD[c]));
            assertThat(java.util.Arrays.stream(column).allMatch(v -> v >= MIN[col] && v <= MAX[col])).as("range of column %d", c).isTrue();
        }
    }

    @Test
    void qualitiesFollowThePublishedHistogram() {
        Map<Integer, Long> histogram = WINES.stream()
                .collect(Collectors.groupingBy(WineRow::quality, Collectors.counting()));
        // 1,599 wines, as many as UCI: the histogram is the published one exactly.
        assertThat(histogram).containsExactlyInAnyOrderEntriesOf(
                Map.of(3, 10L, 4, 53L, 5, 681L, 6, 638L, 7, 199L, 8, 18L));
    }

    @Test
    void qualityRisesWithAlcoholAndFallsWithVolatileAcidityAsPublished() {
        double[] quality = WINES.stream().mapToDouble(WineRow::quality).toArray();
        PearsonsCorrelation pearson = new PearsonsCorrelation();
        assertThat(pearson.correlation(column(10), quality)).isBetween(0.3, 0.6); // published +0.476
        assertThat(pearson.correlation(column(1), quality)).isBetween(-0.5, -0.2); // published -0.391
    }

    private static double[] column(int c) {
        return WINES.stream().mapToDouble(w -> w.features()[c]).toArray();
    }

}
