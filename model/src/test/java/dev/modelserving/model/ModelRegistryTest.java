package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.proto.ModelDescriptor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    private final ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        registry.close();
    }

    private static Features wine(String dataType, double volatileAcidity, double alcohol) {
        return WineFeatures.wine(dataType, 7.4, volatileAcidity, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, alcohol);
    }

    @Test
    void recordsWithoutAModelAreSkippedAndCounted() {
        Scored s = registry.score(wine("wine", 0.7, 9.4));
        registry.scoreBatch(List.of(wine("wine", 0.5, 10), wine("beer", 0.5, 10)));

        assertThat(s.isSkipped()).isTrue();
        assertThat(s.prediction()).isNull();
        assertThat(registry.stats("wine").orElseThrow().skipped()).isEqualTo(2);
        assertThat(registry.stats("beer").orElseThrow().skipped()).isEqualTo(1);
        assertThat(registry.stats("wine").orElseThrow().name()).isNull();
        assertThat(registry.currentModels()).isEmpty();
    }

    @Test
    void anOfferedModelScoresEveryLaterRecordAndCountsIt() {
        LoadOutcome outcome = registry.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));

        Scored a = registry.score(wine("wine", 0.7, 9.4));
        List<Scored> batch = registry.scoreBatch(List.of(wine("wine", 0.5, 10), wine("wine", 0.3, 12)));

        assertThat(outcome).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(a.model().name()).isEqualTo("linear");
        assertThat(a.prediction().value()).isCloseTo(1.5 + 0.4 * 9.4 - 2 * 0.7, within(1e-9));
        assertThat(batch.get(0).prediction().value()).isCloseTo(1.5 + 0.4 * 10 - 2 * 0.5, within(1e-9));
        assertThat(batch.get(1).prediction().value()).isCloseTo(1.5 + 0.4 * 12 - 2 * 0.3, within(1e-9));
        ServingStats stats = registry.stats("wine").orElseThrow();
        assertThat(stats.name()).isEqualTo("linear");
        assertThat(stats.version()).isEqualTo("1");
        assertThat(stats.description()).isEqualTo("linear for tests");
        assertThat(stats.invocations()).isEqualTo(3);
        assertThat(stats.skipped()).isZero();
        assertThat(stats.modelSwaps()).isEqualTo(1);
        assertThat(stats.minMs()).isPositive().isLessThanOrEqualTo(stats.maxMs());
        assertThat(stats.meanMs()).isBetween(stats.minMs(), stats.maxMs());
    }

    @Test
    void aSwapReplacesTheModelAndResetsItsCountersButNotTheDataTypes() {
        registry.score(wine("wine", 0.7, 9.4));
        registry.offer(Fixtures.pmml("a", "1", Fixtures.linearWithIntercept(1.5)));
        registry.score(wine("wine", 0.7, 9.4));

        LoadOutcome outcome = registry.offer(Fixtures.pmml("b", "2", Fixtures.linearWithIntercept(100)));
        Scored after = registry.score(wine("wine", 0.5, 10));

        assertThat(outcome.message()).contains("'b' v2").contains("replacing 'a' v1");
        assertThat(after.model().name()).isEqualTo("b");
        assertThat(after.prediction().value()).isCloseTo(100 + 4 - 1, within(1e-9));
        ServingStats stats = registry.stats("wine").orElseThrow();
        assertThat(stats.invocations()).isEqualTo(1);
        assertThat(stats.skipped()).isEqualTo(1);
        assertThat(stats.modelSwaps()).isEqualTo(2);
    }

    @Test
    void eachDataTypeIsScoredByItsOwnModel() {
        registry.offer(Fixtures.pmml("red", "1", Fixtures.linearWithIntercept(10)));
        registry.offer(Fixtures.pmml("white", "1", Fixtures.linearWithIntercept(20)).toBuilder()
                .setDataType("white").build());

        List<Scored> out = registry.scoreBatch(List.of(wine("wine", 0, 0), wine("white", 0, 0),
                wine("wine", 0, 1), wine("rose", 0, 0)));

        assertThat(out).extracting(s -> s.isSkipped() ? "skipped" : s.model().name())
                .containsExactly("red", "white", "red", "skipped");
        assertThat(out.get(0).prediction().value()).isEqualTo(10.0);
        assertThat(out.get(1).prediction().value()).isEqualTo(20.0);
        assertThat(out.get(2).prediction().value()).isCloseTo(10.4, within(1e-9));
        assertThat(registry.currentModels()).containsOnlyKeys("white", "wine");
    }

    @Test
    void removingAModelMakesItsRecordsSkipped() {
        registry.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));

        LoadOutcome outcome = registry.remove("wine");

        assertThat(outcome.message()).contains("removed 'linear' v1");
        assertThat(registry.score(wine("wine", 0.7, 9.4)).isSkipped()).isTrue();
        assertThat(registry.current("wine")).isEmpty();
    }

    @Test
    void anUnreadableDescriptorIsCountedAsAFailedLoadAndChangesNothingElse() {
        registry.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));

        LoadOutcome outcome = registry.refuse("wine", "(undecodable)", "not a ModelDescriptor");

        assertThat(outcome.message()).isEqualTo("model '(undecodable)' for dataType 'wine' rejected: not a"
                + " ModelDescriptor; still serving 'linear' v1");
        ServingStats stats = registry.stats("wine").orElseThrow();
        assertThat(stats.failedLoads()).isEqualTo(1);
        assertThat(stats.lastLoadFailure().reason()).isEqualTo("not a ModelDescriptor");
        assertThat(registry.servedModels().get("wine").model().name()).isEqualTo("linear");
        assertThat(registry.servedModels().get("wine").since()).isEqualTo(stats.since());
    }

    @Test
    void aRestoredDataTypeServesItsSavedModelWithTheStatisticsItHad() {
        ModelDescriptor linear = Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR);
        registry.offer(linear);
        registry.score(wine("wine", 0.7, 9.4));
        registry.score(wine("wine", 0.5, 10));
        registry.refuse("wine", "broken", "not a model");
        ServingStats saved = registry.stats("wine").orElseThrow();

        try (ModelRegistry restarted = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()))) {
            LoadOutcome outcome = restarted.restore("wine", linear, saved);
            Scored s = restarted.score(wine("wine", 0.3, 12));

            assertThat(outcome).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(s.prediction().value()).isCloseTo(1.5 + 0.4 * 12 - 2 * 0.3, within(1e-9));
            ServingStats now = restarted.stats("wine").orElseThrow();
            assertThat(now.invocations()).isEqualTo(3);
            assertThat(now.since()).isEqualTo(saved.since());
            assertThat(now.modelSwaps()).isEqualTo(saved.modelSwaps());
            assertThat(now.failedLoads()).isEqualTo(1);
            assertThat(now.lastLoadFailure()).isEqualTo(saved.lastLoadFailure());
        }
    }

    @Test
    void aSavedModelThatNoLongerLoadsIsRefusedAndItsCountersStillComeBack() {
        registry.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        registry.score(wine("wine", 0.7, 9.4));
        ServingStats saved = registry.stats("wine").orElseThrow();

        try (ModelRegistry restarted = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()))) {
            LoadOutcome outcome = restarted.restore("wine", Fixtures.pmml("linear", "1", "<PMML".getBytes(java.nio.charset.StandardCharsets.UTF_8)), saved);

            assertThat(outcome).isInstanceOf(LoadOutcome.Rejected.class);
            ServingStats now = restarted.stats("wine").orElseThrow();
            assertThat(now.name()).isNull();
            assertThat(now.modelSwaps()).isEqualTo(1);
            assertThat(now.failedLoads()).isEqualTo(1);
            assertThat(now.lastLoadFailure().reason()).startsWith("could not be restored");
        }
    }

    @Test
    void aModelsTopicMessageIsOfferedRemovedOrRefusedWithWhereItCameFrom() {
        ModelDescriptor linear = Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR);

        assertThat(registry.apply("wine", linear.toByteArray(), "models[0]@0")).isInstanceOf(LoadOutcome.Loaded.class);
        LoadOutcome refused = registry.apply("wine", new byte[] {(byte) 0xff, 1, 2}, "models[0]@1");
        assertThat(refused).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(registry.stats("wine").orElseThrow().lastLoadFailure().reason())
                .startsWith("message models[0]@1 is not a ModelDescriptor");
        assertThat(registry.current("wine")).hasValueSatisfying(m -> assertThat(m.name()).isEqualTo("linear"));
        LoadOutcome elsewhere = registry.apply("beer", linear.toByteArray(), "models[0]@2");
        assertThat(elsewhere).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(registry.stats("beer").orElseThrow().lastLoadFailure().reason())
                .contains("keyed 'beer' but its descriptor is for dataType 'wine'");
        assertThat(registry.apply("wine", null, null)).isInstanceOf(LoadOutcome.Removed.class);
        assertThat(registry.current("wine")).isEmpty();
    }

    @Test
    void aModelThatFinishesLoadingAfterTheRegistryClosedIsClosedAndNotServed() {
        registry.close();
        LoadOutcome late = registry.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));

        assertThat(late).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(registry.current("wine")).isEmpty();
    }
}
