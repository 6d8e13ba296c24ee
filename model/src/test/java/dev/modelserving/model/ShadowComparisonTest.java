package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.proto.ModelDescriptor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShadowComparisonTest {

    private static final ModelInfo LIVE = info("tree", "1");
    private static final ModelInfo CANDIDATE = info("tree", "2");

    @Test
    void labelsAgreementValuesAndLatenciesAreWhatTheRecordsGive() {
        ShadowComparison c = new ShadowComparison(LIVE, CANDIDATE, Instant.EPOCH);
        c.compared(label("5", 5), 1_000_000, label("5", 5), 3_000_000);
        c.compared(label("6", 6), 1_000_000, label("5", 5), 3_000_000);
        c.compared(label("7", 7), 1_000_000, label("7", 7), 3_000_000);
        c.compared(label("4", 4), 2_000_000, label("7", 7), 9_000_000);
        c.candidateFailed(1_000_000, 500_000);
        c.notCompared(10);

        ShadowComparison.Figures f = c.figures();

        assertThat(f.live()).isEqualTo("'tree' v1");
        assertThat(f.candidate()).isEqualTo("'tree' v2");
        assertThat(f.compared()).isEqualTo(4);
        assertThat(f.labelAgreement()).isEqualTo(0.5);
        assertThat(f.meanAbsoluteDifference()).isCloseTo((0 + 1 + 0 + 3) / 4.0, within(1e-12));
        assertThat(f.maxAbsoluteDifference()).isEqualTo(3.0);
        assertThat(f.candidateErrors()).isEqualTo(1);
        assertThat(f.notCompared()).isEqualTo(10);
        // 2 significant digits: within 1 % of the recorded value
        assertThat(f.liveP50Ms()).isCloseTo(1.0, within(0.01));
        assertThat(f.liveP99Ms()).isCloseTo(2.0, within(0.02));
        assertThat(f.candidateP50Ms()).isCloseTo(3.0, within(0.03));
        assertThat(f.candidateP99Ms()).isCloseTo(9.0, within(0.09));
    }

    @Test
    void regressionsHaveNoAgreementAndNothingComparedHasNoFigures() {
        ShadowComparison c = new ShadowComparison(LIVE, CANDIDATE, Instant.EPOCH);
        assertThat(c.figures().labelAgreement()).isNull();
        assertThat(c.figures().meanAbsoluteDifference()).isNull();
        assertThat(c.figures().liveP99Ms()).isNull();

        c.compared(Prediction.regression(5.5), 1000, Prediction.regression(5.25), 1000);
        c.compared(Prediction.regression(Double.NaN), 1000, Prediction.regression(1), 1000);

        assertThat(c.figures().compared()).isEqualTo(2);
        assertThat(c.figures().labelAgreement()).isNull();
        assertThat(c.figures().meanAbsoluteDifference()).as("NaN is left out").isEqualTo(0.25);
        assertThat(c.figures().maxAbsoluteDifference()).isEqualTo(0.25);
    }

    @Test
    void manyThreadsCountEveryRecord() throws Exception {
        ShadowComparison c = new ShadowComparison(LIVE, CANDIDATE, Instant.EPOCH);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String other = Integer.toString(6 + t);
            done.add(pool.submit(() -> {
                for (int i = 0; i < 10_000; i++) {
                    c.compared(label("5", 5), 1000, label(i % 2 == 0 ? "5" : other, 1), 2000);
                }
            }));
        }
        for (var f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(c.figures().compared()).isEqualTo(40_000);
        assertThat(c.figures().labelAgreement()).isEqualTo(0.5);
        assertThat(c.figures().maxAbsoluteDifference()).as("label 9 against 5").isEqualTo(4.0);
    }

    /** A classifier's prediction of a numeric label (its value is the label's number). */
    private static Prediction label(String label, double probability) {
        return Prediction.classification(label, Map.of(label, probability / 10));
    }

    private static ModelInfo info(String name, String version) {
        return new ModelInfo(name, "", "wine", ModelDescriptor.ModelType.PMML, version, 1, "by value", "", "");
    }
}
