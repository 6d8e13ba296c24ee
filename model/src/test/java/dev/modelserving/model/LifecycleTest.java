package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.LifecycleEvent;
import dev.modelserving.proto.PromotionRule;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The models topic's lifecycle as the registry applies it (README, "Model lifecycle"), with real PMML models:
 * versioned keys, a refused version that leaves the last good one, rollback and promotion by a version published
 * again, promotion by rule and automatic rollback published by the registry, withdrawn versions.
 */
class LifecycleTest {

    private final List<ModelsTopic.Message> published = new CopyOnWriteArrayList<>();
    private final ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()),
            new LifecycleRules(100, 0.05));

    LifecycleTest() {
        registry.publishRequestsTo(published::add);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private static ModelDescriptor linear(String version, double intercept) {
        return Fixtures.pmml("linear", version, Fixtures.linearWithIntercept(intercept));
    }

    /** A model that needs a feature wine records do not have: it loads, and fails every wine record. */
    private static ModelDescriptor needsColour(String version) {
        byte[] pmml = new String(Fixtures.resource(Fixtures.ALCOHOL_LINEAR)).replace("volatile_acidity", "colour")
                .getBytes();
        return Fixtures.pmml("colour", version, pmml);
    }

    private LoadOutcome publish(ModelDescriptor d) {
        return registry.apply(ModelsTopic.key(d), d.toByteArray(), null);
    }

    private LoadOutcome publish(ModelsTopic.Message m) {
        return registry.apply(m.key(), m.value(), null);
    }

    private String live() {
        return registry.current("wine").map(ModelInfo::version).orElse("none");
    }

    private List<String> events() {
        return registry.stats("wine").orElseThrow().lifecycle().events().stream()
                .map(e -> e.kind() + " " + e.model()).toList();
    }

    @Test
    void versionedKeysKeepEveryVersionAndARefusedVersionLeavesTheLastGoodOne() {
        assertThat(ModelsTopic.key(linear("1", 1.5))).isEqualTo("wine/1");
        assertThat(publish(linear("1", 1.5))).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(publish(linear("2", 2.0))).isInstanceOf(LoadOutcome.Loaded.class);
        ModelDescriptor broken = ModelDescriptor.newBuilder().setName("broken").setVersion("3").setDataType("wine")
                .setModeltype(ModelDescriptor.ModelType.PMML)
                .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build();
        assertThat(publish(broken)).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(live()).isEqualTo("2");
        assertThat(registry.stats("wine").orElseThrow().lifecycle().previous()).isEqualTo("'linear' v1");

        // a key that names another version than its descriptor is refused: its tombstone would not reach it
        LoadOutcome mismatch = registry.apply("wine/7", linear("4", 3.0).toByteArray(), "[0]@9");
        assertThat(mismatch).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(((LoadOutcome.Rejected) mismatch).failure().reason())
                .isEqualTo("message [0]@9 is keyed 'wine/7' but its descriptor is version '4'");
        // the tutorial's key, the dataType alone, is the newest version
        assertThat(registry.apply("wine", linear("5", 3.0).toByteArray(), null)).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(live()).isEqualTo("5");
        assertThat(events()).containsExactly("live 'linear' v1", "live 'linear' v2", "refused 'broken' v3",
                "refused 'linear' v4", "live 'linear' v5");
    }

    @Test
    void aVersionPublishedAgainGoesBackToItAndTheModelAlreadyLiveChangesNothing() {
        publish(linear("1", 1.5));
        publish(linear("2", 2.0));
        LoadOutcome back = publish(ModelsTopic.publishAgain(linear("1", 1.5), LifecycleEvent.ROLLED_BACK,
                "by command"));
        assertThat(back).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(live()).isEqualTo("1");
        assertThat(registry.scoreBatch(Fixtures.wines(1)).get(0).model().version()).isEqualTo("1");
        // another server's identical rollback: nothing to load again
        assertThat(publish(ModelsTopic.publishAgain(linear("1", 1.5), LifecycleEvent.ROLLED_BACK, "again")))
                .isInstanceOf(LoadOutcome.Unchanged.class);
        Lifecycle l = registry.stats("wine").orElseThrow().lifecycle();
        assertThat(l.rollbacks()).isEqualTo(1);
        assertThat(l.previous()).isEqualTo("'linear' v2");
        assertThat(l.events().get(l.events().size() - 1).detail()).isEqualTo("by command");
    }

    @Test
    void theCandidatePublishedToServeGoesLiveWithoutLoadingAgain() {
        publish(linear("1", 1.5));
        ModelDescriptor v2 = linear("2", 2.0).toBuilder().setCandidate(true).build();
        LoadOutcome loaded = publish(v2);
        assertThat(loaded).isInstanceOf(LoadOutcome.CandidateLoaded.class);
        assertThat(live()).isEqualTo("1");
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(10)));
        assertThat(registry.stats("wine").orElseThrow().lifecycle().candidate().compared()).isEqualTo(10);

        LoadOutcome promoted = publish(ModelsTopic.publishAgain(v2, LifecycleEvent.PROMOTED, "by command"));
        assertThat(promoted).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(((LoadOutcome.Loaded) promoted).model()).as("the candidate's model itself, not loaded again")
                .isSameAs(((LoadOutcome.CandidateLoaded) loaded).candidate());
        assertThat(live()).isEqualTo("2");
        assertThat(registry.comparison("wine")).isEmpty();
        Lifecycle l = registry.stats("wine").orElseThrow().lifecycle();
        assertThat(l.promotions()).isEqualTo(1);
        assertThat(l.candidates()).isEqualTo(1);
        assertThat(registry.stats("wine").orElseThrow().invocations())
                .as("records it scored as the candidate are not counted as served").isZero();
        assertThat(events()).containsExactly("live 'linear' v1", "candidate 'linear' v2", "promoted 'linear' v2");
    }

    @Test
    void aCandidateWhoseRuleHoldsPublishesItsPromotion() {
        publish(linear("1", 1.5));
        publish(linear("2", 1.6).toBuilder().setCandidate(true).setPromotionRule(PromotionRule.newBuilder()
                .setAfterRecords(30).setMaxMeanAbsoluteDifference(0.2)).build());
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(20)));
        assertThat(published).isEmpty();
        assertThat(registry.stats("wine").orElseThrow().lifecycle().promotionRule())
                .contains("waiting: 20 of 30 records compared");
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(20)));
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(20)));

        assertThat(published).as("published once").hasSize(1);
        ModelsTopic.Message m = published.get(0);
        assertThat(m.key()).isEqualTo("wine/2");
        ModelDescriptor d = parse(m.value());
        assertThat(d.getCandidate()).isFalse();
        assertThat(d.getEvent()).isEqualTo(LifecycleEvent.PROMOTED);
        assertThat(d.getEventReason()).startsWith("rule met after 40 records: mean absolute difference 0.1");
        assertThat(live()).as("the registry does not act on its own request").isEqualTo("1");

        publish(m);
        assertThat(live()).isEqualTo("2");
        assertThat(events()).containsExactly("live 'linear' v1", "candidate 'linear' v2",
                "promotion requested 'linear' v2", "promoted 'linear' v2");
    }

    @Test
    void aRuleNotMetLeavesTheCandidateAndSaysWhy() {
        publish(linear("1", 1.5));
        publish(linear("2", 3.0).toBuilder().setCandidate(true).setPromotionRule(PromotionRule.newBuilder()
                .setAfterRecords(10).setMaxMeanAbsoluteDifference(0.2)).build());
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(20)));
        assertThat(published).isEmpty();
        assertThat(registry.stats("wine").orElseThrow().lifecycle().promotionRule())
                .contains("not met after 20 records: mean absolute difference 1.5");
    }

    @Test
    void aNewModelFailingTooManyOfItsFirstRecordsPublishesThePreviousVersionAgain() {
        publish(linear("1", 1.5));
        publish(needsColour("2"));
        assertThat(live()).isEqualTo("2");
        registry.scoreBatch(Fixtures.wines(4)); // 4 errors of 100 allowed: 5
        assertThat(published).isEmpty();
        registry.scoreBatch(Fixtures.wines(2));

        assertThat(published).as("published once").hasSize(1);
        ModelDescriptor d = parse(published.get(0).value());
        assertThat(published.get(0).key()).isEqualTo("wine/1");
        assertThat(d.getEvent()).isEqualTo(LifecycleEvent.ROLLED_BACK);
        assertThat(d.getEventReason()).isEqualTo("automatic: 'colour' v2 failed 6 of its first 6 records (more than "
                + "5 of 100 allowed)");
        registry.scoreBatch(Fixtures.wines(10));
        assertThat(published).hasSize(1);

        publish(published.get(0));
        assertThat(live()).isEqualTo("1");
        Lifecycle l = registry.stats("wine").orElseThrow().lifecycle();
        assertThat(l.automaticRollbacks()).isEqualTo(1);
        assertThat(l.rollbacks()).isEqualTo(1);
        assertThat(events()).containsExactly("live 'linear' v1", "live 'colour' v2", "rollback requested 'colour' v2",
                "rolled back 'linear' v1");
    }

    @Test
    void aModelThatFailsOnlyAfterItsFirstRecordsOrHasNothingToGoBackToStays() {
        publish(needsColour("1"));
        registry.scoreBatch(Fixtures.wines(50));
        assertThat(published).as("no previous version").isEmpty();

        publish(linear("2", 1.5));
        registry.scoreBatch(Fixtures.wines(100));
        publish(needsColour("3").toBuilder().setName("colour-3").build());
        registry.scoreBatch(Fixtures.wines(3)); // within the first 100: 3 errors
        assertThat(published).isEmpty();
    }

    @Test
    void aWithdrawnVersionStopsItsCandidateOrGivesTheLiveOneBackToThePrevious() {
        publish(linear("1", 1.5));
        publish(linear("2", 2.0));
        publish(linear("3", 2.5).toBuilder().setCandidate(true).build());
        assertThat(registry.comparison("wine")).isPresent();

        assertThat(registry.apply("wine/3", null, null)).isInstanceOf(LoadOutcome.Unchanged.class);
        assertThat(registry.comparison("wine")).isEmpty();
        assertThat(registry.apply("wine/9", null, null)).isInstanceOf(LoadOutcome.Unchanged.class);
        assertThat(live()).isEqualTo("2");

        assertThat(registry.apply("wine/2", null, null)).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(live()).isEqualTo("1");
        assertThat(registry.apply("wine/1", null, null)).isInstanceOf(LoadOutcome.Removed.class);
        assertThat(live()).isEqualTo("none");
    }

    @Test
    void aRegistryRestoredFromWhatItSavedHasTheSameLiveModelPreviousVersionCandidateCountersAndEvents() {
        publish(linear("1", 1.5));
        publish(linear("2", 2.0));
        publish(linear("3", 2.5).toBuilder().setCandidate(true).setPromotionRule(PromotionRule.newBuilder()
                .setAfterRecords(1000)).build());
        ModelRegistry.SavedModels saved = registry.savedModels("wine");
        ServingStats stats = registry.stats("wine").orElseThrow();

        try (ModelRegistry restarted = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()))) {
            assertThat(restarted.restore("wine", saved, stats)).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(restarted.current("wine").orElseThrow().version()).isEqualTo("2");
            Lifecycle l = restarted.stats("wine").orElseThrow().lifecycle();
            assertThat(l.previous()).isEqualTo("'linear' v1");
            assertThat(l.candidate().candidate()).isEqualTo("'linear' v3");
            assertThat(l.promotionRule()).startsWith("1000 records are compared");
            assertThat(l.candidates()).isEqualTo(1);
            assertThat(l.events()).isEqualTo(stats.lifecycle().events());
            // the same rules as before the restart: the previous version published again goes back to it
            assertThat(restarted.apply("wine/1", ModelsTopic.publishAgain(linear("1", 1.5),
                    LifecycleEvent.ROLLED_BACK, "test").value(), null)).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(restarted.apply("wine/2", linear("2", 2.0).toByteArray(), null))
                    .isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(restarted.apply("wine/2", linear("2", 2.0).toByteArray(), null))
                    .as("already live").isInstanceOf(LoadOutcome.Unchanged.class);
        }
    }

    @Test
    void theLifecycleCountersAndEventsComeBackFromTheirBytes() {
        publish(linear("1", 1.5));
        publish(linear("2", 2.0));
        publish(ModelsTopic.publishAgain(linear("1", 1.5), LifecycleEvent.ROLLED_BACK, "by a test"));
        Lifecycle l = registry.stats("wine").orElseThrow().lifecycle();

        try (ModelRegistry restarted = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()))) {
            restarted.apply("wine", linear("1", 1.5).toByteArray(), null);
            restarted.restoreLifecycle("wine", LifecycleCodec.decode(LifecycleCodec.encode(l)));
            Lifecycle back = restarted.stats("wine").orElseThrow().lifecycle();
            assertThat(back.rollbacks()).isEqualTo(1);
            assertThat(back.events()).isEqualTo(l.events());
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> LifecycleCodec.decode(new byte[] {9})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ModelDescriptor parse(byte[] bytes) {
        try {
            return ModelDescriptor.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
