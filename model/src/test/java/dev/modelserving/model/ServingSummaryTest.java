package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.proto.WineRecord;
import java.util.List;
import java.util.Map;
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

    private static WineRecord wine(String dataType) {
        return WineFeatures.record(dataType, 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
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
