package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.junit.jupiter.api.Test;

class WineGeneratorTest {

    private static final List<WineRow> WINES = WineGenerator.generate(ProjectData.WINES, ProjectData.DATA_SEED);

    private static final PublishedStatistics PUBLISHED = PublishedStatistics.redWine();

    @Test
    void theSameSeedGivesTheSameWines() {
        List<WineRow> again = WineGenerator.generate(ProjectData.WINES, ProjectData.DATA_SEED);
        for (int i = 0; i < WINES.size(); i++) {
            assertThat(again.get(i).features()).containsExactly(WINES.get(i).features());
            assertThat(again.get(i).quality()).isEqualTo(WINES.get(i).quality());
        }
    }

    @Test
    void thePublishedStatisticsAreTheUciRedWines() {
        assertThat(PUBLISHED.columns()).extracting(PublishedStatistics.Column::name).containsExactly("fixed acidity",
                "volatile acidity", "citric acid", "residual sugar", "chlorides", "free sulfur dioxide",
                "total sulfur dioxide", "density", "pH", "sulphates", "alcohol");
        assertThat(PUBLISHED.wines()).isEqualTo(1599);
        assertThat(PUBLISHED.quality().mean()).isEqualTo(5.6360);
    }

    @Test
    void everyColumnFollowsThePublishedMeanSpreadAndRange() {
        for (int c = 0; c < PUBLISHED.columns().size(); c++) {
            PublishedStatistics.Column published = PUBLISHED.columns().get(c);
            double[] column = column(c);
            double mean = Arrays.stream(column).average().orElseThrow();
            double std = Math.sqrt(Arrays.stream(column).map(v -> (v - mean) * (v - mean)).sum()
                    / (column.length - 1));
            assertThat(mean).as("mean of %s", published.name()).isCloseTo(published.mean(),
                    within(0.1 * published.std()));
            assertThat(std).as("std of %s", published.name()).isCloseTo(published.std(),
                    within(0.15 * published.std()));
            assertThat(Arrays.stream(column).min().orElseThrow()).as("min of %s", published.name())
                    .isGreaterThanOrEqualTo(published.min());
            assertThat(Arrays.stream(column).max().orElseThrow()).as("max of %s", published.name())
                    .isLessThanOrEqualTo(published.max());
        }
    }

    @Test
    void qualitiesFollowThePublishedHistogram() {
        Map<Integer, Long> histogram = WINES.stream()
                .collect(Collectors.groupingBy(WineRow::quality, Collectors.counting()));
        // 1,599 wines, as many as UCI: the histogram is the published one exactly.
        assertThat(WINES).hasSize(PUBLISHED.wines());
        PUBLISHED.qualityCounts().forEach((quality, wines) ->
                assertThat(histogram.get(quality)).as("wines of quality %d", quality).isEqualTo(wines.longValue()));
        assertThat(histogram.keySet()).isEqualTo(PUBLISHED.qualityCounts().keySet());
    }

    @Test
    void qualityRisesWithAlcoholAndFallsWithVolatileAcidityAsPublished() {
        double[] quality = WINES.stream().mapToDouble(WineRow::quality).toArray();
        PearsonsCorrelation pearson = new PearsonsCorrelation();
        for (int c : new int[] {1, 10}) { // volatile acidity (published -0.391), alcohol (+0.476)
            double published = PUBLISHED.columns().get(c).correlationWithQuality();
            assertThat(pearson.correlation(column(c), quality)).as(PUBLISHED.columns().get(c).name())
                    .isCloseTo(published, within(0.15));
        }
    }

    private static double[] column(int c) {
        return WINES.stream().mapToDouble(w -> w.features()[c]).toArray();
    }
}
