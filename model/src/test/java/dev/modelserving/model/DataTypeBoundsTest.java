package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.proto.ModelDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Made-up dataTypes hold a bounded memory and never keep a real model from serving. */
class DataTypeBoundsTest {

    private ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        registry.close();
    }

    private static Features wine(String dataType) {
        return WineFeatures.wine(dataType, 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
    }

    private static ModelDescriptor modelFor(String dataType) {
        return Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR).toBuilder().setDataType(dataType).build();
    }

    @Test
    void recordsOfMadeUpDataTypesClaimNoPlaceAndANewDataTypesModelServesAllItsRecords() {
        List<Features> junk = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            junk.add(wine("junk-" + i));
        }
        registry.scoreBatch(junk);
        for (int i = 0; i < LoadingPolicy.DEFAULT_MAX_DATA_TYPES + 10; i++) {
            registry.score(wine("more-junk-" + i));
        }

        assertThat(registry.offer(modelFor("beer"))).isInstanceOf(LoadOutcome.Loaded.class);
        List<Features> beers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            beers.add(wine("beer"));
        }
        assertThat(registry.scoreBatch(beers)).allMatch(s -> !s.isSkipped() && !s.isFailed());
        // the made-up dataTypes: the last 100 by name, the rest counted together
        assertThat(registry.allStats()).hasSizeBetween(ModelRegistry.MAX_UNSERVED_DATA_TYPES,
                        ModelRegistry.MAX_UNSERVED_DATA_TYPES + 2) // + beer and "*"
                .containsKey("beer").containsKey(ModelRegistry.OTHER_DATA_TYPES);
        long skipped = registry.allStats().values().stream().mapToLong(ServingStats::skipped).sum();
        assertThat(skipped).isEqualTo(2_000 + LoadingPolicy.DEFAULT_MAX_DATA_TYPES + 10);
        assertThat(registry.allStats().get("beer").skipped()).isZero();
    }

    @Test
    void aRecordSeenBeforeItsModelCountsUnderItsDataTypeAndGoesWithItWhenTheModelArrives() {
        registry.score(wine("wine"));
        registry.score(wine("wine"));
        assertThat(registry.stats("wine").orElseThrow().skipped()).isEqualTo(2);
        registry.offer(modelFor("wine"));
        assertThat(registry.stats("wine").orElseThrow().skipped()).isEqualTo(2);
        assertThat(registry.stats("wine").orElseThrow().modelSwaps()).isEqualTo(1);
    }

    @Test
    void aModelForNoDataTypeOrForTheOthersBucketIsRefused() {
        LoadOutcome blank = registry.offer(modelFor(""));
        LoadOutcome star = registry.offer(modelFor(ModelRegistry.OTHER_DATA_TYPES));
        assertThat(((LoadOutcome.Rejected) blank).failure().reason()).isEqualTo("the model names no dataType");
        assertThat(((LoadOutcome.Rejected) star).failure().reason()).startsWith("'*' is no dataType a model may serve");
        assertThat(registry.currentModels()).isEmpty();
    }

    @Test
    void whenEveryPlaceIsTakenANewDataTypesModelIsRefusedWithTheReasonUntilOneIsRemoved() {
        registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withMaxDataTypes(3)));
        for (String type : List.of("a", "b", "c")) {
            assertThat(registry.offer(modelFor(type))).isInstanceOf(LoadOutcome.Loaded.class);
        }

        LoadOutcome refused = registry.offer(modelFor("d"));

        assertThat(refused).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(((LoadOutcome.Rejected) refused).failure().reason()).isEqualTo("this server already serves 3 "
                + "dataTypes, as many as it may (model-server.max-data-types): remove one (a tombstone of its key) or "
                + "raise the cap");
        assertThat(registry.stats("d").orElseThrow().failedLoads()).isEqualTo(1);
        assertThat(registry.score(wine("d")).isSkipped()).isTrue();
        // a model for a dataType already served still swaps in
        assertThat(registry.offer(modelFor("a").toBuilder().setVersion("2").build()))
                .isInstanceOf(LoadOutcome.Loaded.class);

        registry.remove("c");
        assertThat(registry.offer(modelFor("d"))).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(registry.score(wine("d")).isSkipped()).isFalse();
        assertThat(registry.currentModels()).containsOnlyKeys("a", "b", "d");
        assertThat(registry.stats("d").orElseThrow().failedLoads()).as("its refusal stays counted").isEqualTo(1);
        // c's counts are kept, among the dataTypes without a model
        assertThat(registry.stats("c").orElseThrow().modelSwaps()).isEqualTo(1);
    }
}
