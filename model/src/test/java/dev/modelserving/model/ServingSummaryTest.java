package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.model.pmml.PmmlModelLoader;
import dev.modelserving.proto.ModelDescriptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two registries serving side by side (two tasks of a server), summarised as one. */
class ServingSummaryTest {

    private final ModelRegistry a = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));
    private final ModelRegistry b = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static Features wine(String dataType) {
        return WineFeatures.wine(dataType, 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
    }

    private Map<String, ServingStats> stats() {
        return ServingSummary.stats(List.of(a.allStats(), b.allStats()));
    }

    private Map<String, CurrentModel> models() {
        return ServingSummary.models(List.of(a.servedModels(), b.servedModels()),
                List.of(a.allStats().keySet(), b.allStats().keySet()));
    }

    @Test
    void countersAddUpAndEachModelLoadCountsOnce() {
        a.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        b.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        a.scoreBatch(List.of(wine("wine"), wine("wine"), wine("beer")));
        b.scoreBatch(List.of(wine("wine"), wine("beer"), wine("beer")));
        a.offer(Fixtures.pmml("broken", "2", "not pmml".getBytes()));
        b.offer(Fixtures.pmml("broken", "2", "not pmml".getBytes()));

        ServingStats wine = stats().get("wine");
        ServingStats beer = stats().get("beer");

        assertThat(wine.name()).isEqualTo("linear");
        assertThat(wine.invocations()).isEqualTo(3);
        assertThat(wine.modelSwaps()).isEqualTo(1);
        assertThat(wine.failedLoads()).isEqualTo(1);
        assertThat(wine.lastLoadFailure().modelName()).isEqualTo("broken");
        assertThat(wine.minMs()).isPositive().isLessThanOrEqualTo(wine.meanMs());
        assertThat(wine.meanMs()).isLessThanOrEqualTo(wine.maxMs());
        assertThat(beer.skipped()).isEqualTo(3);
        assertThat(beer.name()).isNull();
        assertThat(models()).containsOnlyKeys("wine");
    }

    /**
     * A Kafka Streams task loads a model the others already serve (each task loads every model, one after the
     * other): until its load ends it scores nothing, so the instance still serves the model the others have.
     */
    @Test
    void aRegistryStillLoadingItsFirstModelDoesNotHideTheModelTheOthersServe() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ModelLoader pmml = new PmmlModelLoader();
        ModelLoader gated = new ModelLoader() {
            @Override
            public ModelDescriptor.ModelType type() {
                return pmml.type();
            }

            @Override
            public Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
                loading.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return pmml.load(d, bytes, policy);
            }
        };
        ModelDescriptor linear = Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR);
        a.offer(linear);
        try (ModelRegistry slow = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults(), List.of(gated)))) {
            CompletableFuture<LoadOutcome> load = CompletableFuture.supplyAsync(() -> slow.offer(linear));
            try {
                assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();

                assertThat(slow.allStats()).as("a dataType whose first model is still loading").isEmpty();
                assertThat(slow.stats("wine")).isEmpty();
                assertThat(ServingSummary.models(List.of(a.servedModels(), slow.servedModels()),
                        List.of(a.allStats().keySet(), slow.allStats().keySet())).get("wine").model().name())
                        .isEqualTo("linear");
            } finally {
                release.countDown();
            }
            assertThat(load.get(30, TimeUnit.SECONDS)).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(slow.allStats()).containsOnlyKeys("wine");
        }
    }

    @Test
    void midSwapTheModelEveryRegistryServesIsTheAnswer() {
        a.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        b.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        a.score(wine("wine"));
        b.score(wine("wine"));
        a.offer(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(3)));
        a.score(wine("wine"));

        assertThat(stats().get("wine").version()).isEqualTo("1");
        assertThat(stats().get("wine").invocations()).isEqualTo(1);
        assertThat(models().get("wine").model().version()).isEqualTo("1");

        b.offer(Fixtures.pmml("linear", "2", Fixtures.linearWithIntercept(3)));

        assertThat(stats().get("wine").version()).isEqualTo("2");
        assertThat(stats().get("wine").invocations()).isEqualTo(1);
        assertThat(stats().get("wine").modelSwaps()).isEqualTo(2);
        assertThat(models().get("wine").model().version()).isEqualTo("2");
    }

    @Test
    void aDataTypeOneRegistryServesWithoutAModelIsNotServed() {
        a.offer(Fixtures.pmmlResource("linear", "1", Fixtures.ALCOHOL_LINEAR));
        b.score(wine("wine"));

        assertThat(stats().get("wine").name()).isNull();
        assertThat(stats().get("wine").skipped()).isEqualTo(1);
        assertThat(models()).isEmpty();
    }
}
