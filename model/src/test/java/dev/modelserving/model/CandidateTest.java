package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.proto.ModelDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shadow scoring in the registry, with real PMML models: a candidate scores beside the live model, compared. */
class CandidateTest {

    private final ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void aCandidateScoresTheLiveModelsRecordsWithoutServingAndIsComparedWithIt() {
        registry.offer(Fixtures.pmml("linear", "1", Fixtures.linearWithIntercept(1.5)));
        LoadOutcome outcome = registry.offerCandidate(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(2.0)));
        assertThat(outcome).isInstanceOf(LoadOutcome.CandidateLoaded.class);

        List<Scored> live = registry.scoreBatch(Fixtures.wines(20));
        assertThat(live).allSatisfy(s -> assertThat(s.model().version()).as("only the live model serves")
                .isEqualTo("1"));
        List<ModelRegistry.Shadowed> shadowed = registry.scoreCandidates(live);

        assertThat(shadowed).hasSize(20);
        for (ModelRegistry.Shadowed s : shadowed) {
            assertThat(s.candidate().model().version()).isEqualTo("2");
            assertThat(s.candidate().record()).isSameAs(s.live().record());
            assertThat(s.candidate().prediction().value() - s.live().prediction().value()).isCloseTo(0.5,
                    within(1e-9));
        }
        ShadowComparison.Figures f = registry.comparison("wine").orElseThrow();
        assertThat(f.live()).isEqualTo("'linear' v1");
        assertThat(f.candidate()).isEqualTo("'linear' v2");
        assertThat(f.compared()).isEqualTo(20);
        assertThat(f.meanAbsoluteDifference()).isCloseTo(0.5, within(1e-9));
        assertThat(f.maxAbsoluteDifference()).isCloseTo(0.5, within(1e-9));
        assertThat(f.labelAgreement()).as("a regression has no labels").isNull();
        assertThat(f.candidateP99Ms()).isNotNull();
        assertThat(f.candidateErrors()).isZero();
    }

    @Test
    void recordsTheCandidateCannotScoreAreItsErrorsAndTheRestAreCompared() {
        registry.offer(Fixtures.pmml("linear", "1", Fixtures.linearWithIntercept(1.5)));
        byte[] needsColour = new String(Fixtures.resource(Fixtures.ALCOHOL_LINEAR))
                .replace("volatile_acidity", "colour").getBytes();
        registry.offerCandidate(Fixtures.pmml("colour", "2", needsColour));

        List<Features> records = new ArrayList<>(Fixtures.wines(3));
        records.add(Features.of("wine", java.util.Map.of("alcohol", 10.0, "volatile_acidity", 0.5, "colour", 1.0)));
        List<ModelRegistry.Shadowed> shadowed = registry.scoreCandidates(registry.scoreBatch(records));

        assertThat(shadowed).hasSize(4);
        assertThat(shadowed.subList(0, 3)).allSatisfy(s -> assertThat(s.candidate().error()).contains("colour"));
        assertThat(shadowed.get(3).candidate().isFailed()).isFalse();
        ShadowComparison.Figures f = registry.comparison("wine").orElseThrow();
        assertThat(f.candidateErrors()).isEqualTo(3);
        assertThat(f.compared()).isEqualTo(1);
    }

    @Test
    void promotionMakesTheCandidateLiveAndADroppedOrRefusedCandidateChangesNothingLive() {
        assertThat(registry.offerCandidate(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(2.0))))
                .as("no live model to compare with").isInstanceOf(LoadOutcome.Rejected.class);
        registry.offer(Fixtures.pmml("linear", "1", Fixtures.linearWithIntercept(1.5)));
        assertThat(registry.offerCandidate(ModelDescriptor.newBuilder().setName("broken").setVersion("3")
                .setDataType("wine").setModeltype(ModelDescriptor.ModelType.PMML)
                .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build()))
                .isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(registry.comparison("wine")).isEmpty();

        registry.offerCandidate(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(2.0)));
        assertThat(registry.dropCandidate("wine")).isTrue();
        assertThat(registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(2)))).isEmpty();
        assertThat(registry.promoteCandidate("wine")).isEmpty();

        registry.offerCandidate(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(2.0)));
        assertThat(registry.promoteCandidate("wine")).get().isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(registry.current("wine").orElseThrow().version()).isEqualTo("2");
        assertThat(registry.comparison("wine")).as("the comparison ends with the promotion").isEmpty();
        assertThat(registry.scoreBatch(Fixtures.wines(1)).get(0).model().version()).isEqualTo("2");
    }

    @Test
    void aNewLiveModelStartsANewComparisonWithTheSameCandidate() {
        registry.offer(Fixtures.pmml("linear", "1", Fixtures.linearWithIntercept(1.5)));
        registry.offerCandidate(Fixtures.pmml("linear", "3", Fixtures.linearWithIntercept(2.0)));
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(5)));

        registry.offer(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(2.0)));

        ShadowComparison.Figures f = registry.comparison("wine").orElseThrow();
        assertThat(f.live()).isEqualTo("'linear' v2");
        assertThat(f.compared()).isZero();
        registry.scoreCandidates(registry.scoreBatch(Fixtures.wines(5)));
        assertThat(registry.comparison("wine").orElseThrow().maxAbsoluteDifference()).isEqualTo(0.0);
    }
}
