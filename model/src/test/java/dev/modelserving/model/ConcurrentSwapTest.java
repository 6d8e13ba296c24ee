package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.model.pmml.PmmlModelLoader;
import dev.modelserving.proto.ModelDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Scoring threads run while models are swapped many times. Every record must be scored by a whole, open model:
 * the value matches the formula of the model named in the result, no model is used after it was closed, and once
 * a thread has seen version n it never sees an older one.
 */
class ConcurrentSwapTest {

    private static final int SWAPS = 150;
    private static final int THREADS = 3;

    @Test
    void swapsUnderConcurrentScoringNeverServeAHalfLoadedOrClosedModel() throws Exception {
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ModelFactory factory = new ModelFactory(LoadingPolicy.defaults(), List.of(new ClosedUseDetector(violations)));
        ModelRegistry registry = new ModelRegistry(factory);
        registry.offer(version(0));
        Features wine = WineFeatures.wine("wine", 7.4, 0.5, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 10);
        List<Features> batch = List.of(wine, wine, wine, wine);
        AtomicBoolean swapping = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Long>> scorers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            boolean batched = t % 2 == 0;
            scorers.add(pool.submit(() -> {
                long scored = 0;
                int lastVersion = 0;
                while (swapping.get()) {
                    for (Scored s : batched ? registry.scoreBatch(batch) : List.of(registry.score(wine))) {
                        int v = Integer.parseInt(s.model().version());
                        assertThat(s.error()).isNull();
                        assertThat(s.prediction().value()).isCloseTo(interceptOf(v) + 0.4 * 10 - 2 * 0.5, within(1e-9));
                        assertThat(v).isGreaterThanOrEqualTo(lastVersion);
                        lastVersion = v;
                        scored++;
                    }
                }
                return scored;
            }));
        }

        for (int v = 1; v <= SWAPS; v++) {
            assertThat(registry.offer(version(v))).isInstanceOf(LoadOutcome.Loaded.class);
        }
        swapping.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        long total = 0;
        for (Future<Long> f : scorers) {
            total += f.get();
        }
        assertThat(violations).isEmpty();
        assertThat(total).isPositive();
        ServingStats stats = registry.stats("wine").orElseThrow();
        assertThat(stats.version()).isEqualTo(String.valueOf(SWAPS));
        assertThat(stats.modelSwaps()).isEqualTo(SWAPS + 1);
        assertThat(stats.scoringErrors()).isZero();
        registry.close();
    }

    private static double interceptOf(int version) {
        return version * 1000.0;
    }

    private static ModelDescriptor version(int v) {
        return Fixtures.pmml("linear", String.valueOf(v), Fixtures.linearWithIntercept(interceptOf(v)));
    }

    /** Loads real PMML models and records any use of one after its close(). */
    private record ClosedUseDetector(ConcurrentLinkedQueue<String> violations) implements ModelLoader {

        @Override
        public ModelDescriptor.ModelType type() {
            return ModelDescriptor.ModelType.PMML;
        }

        @Override
        public Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
            Model real = new PmmlModelLoader().load(d, bytes, policy);
            AtomicBoolean closed = new AtomicBoolean();
            return new Model() {
                @Override
                public ModelInfo info() {
                    return real.info();
                }

                @Override
                public List<ModelInput> inputs() {
                    return real.inputs();
                }

                @Override
                public Prediction score(Features record) {
                    if (closed.get()) {
                        violations.add("version " + real.info().version() + " scored after close");
                    }
                    return real.score(record);
                }

                @Override
                public List<Prediction> scoreBatch(List<? extends Features> records) {
                    if (closed.get()) {
                        violations.add("version " + real.info().version() + " batch-scored after close");
                    }
                    return real.scoreBatch(records);
                }

                @Override
                public void close() {
                    closed.set(true);
                }
            };
        }
    }
}
