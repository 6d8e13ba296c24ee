package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import akka.actor.ActorSystem;
import akka.japi.Pair;
import akka.stream.SourceShape;
import akka.stream.javadsl.GraphDSL;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Source;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import akka.testkit.javadsl.TestKit;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The custom stage between stream test probes, with the project's real models: batches of records in, a list of
 * outcomes out per batch.
 */
class ModelServingStageTest {

    private static final List<WineRow> WINES = ProjectData.wines();
    private static ActorSystem system;

    @TempDir
    Path tmp;
    private TestPublisher.Probe<ModelMessage> models;
    private TestPublisher.Probe<List<DataRecord<Integer>>> data;
    private TestSubscriber.Probe<List<Outcome<Integer>>> out;
    /** Outcomes of a batch taken from {@link #out} that the test has not looked at yet. */
    private final Deque<Outcome<Integer>> taken = new ArrayDeque<>();
    private ServingView view;
    private SimpleMeterRegistry meters;

    @BeforeAll
    static void startAkka() {
        system = ActorSystem.create("stage-test");
    }

    @AfterAll
    static void stopAkka() {
        TestKit.shutdownActorSystem(system);
    }

    @BeforeEach
    void runTheStage() {
        meters = new SimpleMeterRegistry();
        ServingMetrics metrics = new ServingMetrics(meters);
        ModelFactory factory = new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp));
        ModelServingStage<Integer> stage = new ModelServingStage<>(() -> new ModelRegistry(factory), metrics,
                new RecordScoring(metrics, RecordFormat.WINE, ResultFormat.PROTOBUF), ForkJoinPool.commonPool());
        var materialized = Source.fromGraph(GraphDSL.create3(TestSource.<ModelMessage>probe(system),
                        TestSource.<List<DataRecord<Integer>>>probe(system), stage,
                        (m, d, v) -> List.<Object>of(m, d, v),
                        (b, m, d, s) -> {
                            b.from(m.out()).toInlet(s.in0());
                            b.from(d.out()).toInlet(s.in1());
                            return SourceShape.of(s.out());
                        }))
                .toMat(TestSink.probe(system), Keep.both()).run(system);
        List<Object> mat = materialized.first();
        models = cast(mat.get(0));
        data = cast(mat.get(1));
        view = cast(mat.get(2));
        out = materialized.second();
    }

    private ServingStats stats(String dataType) {
        return view.stats(dataType).toCompletableFuture().join().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    @Test
    void recordsWaitForTheModelsToCatchUpAndWithoutAModelNothingIsPublished() {
        out.request(10);
        send(wine("wine", 0)); // taken into the stage's input buffer, not yet into the stage
        out.expectNoMessage(Duration.ofMillis(300));
        assertThat(view.caughtUp()).isFalse();

        models.sendNext(ModelMessage.CAUGHT_UP);
        assertThat(next()).isInstanceOf(Outcome.Skipped.class).extracting(Outcome::passThrough)
                .isEqualTo(0);
        assertThat(stats("wine").skipped()).isEqualTo(1);
        assertThat(view.caughtUp()).isTrue();
        assertThat(meters.counter("modelserving.records.skipped", "dataType", ServingMetrics.OTHER).count()).isEqualTo(1);
    }

    @Test
    void aModelScoresEveryLaterRecordAsTheModelLibraryDoes() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        models.sendNext(ModelMessage.CAUGHT_UP);
        awaitServing("wine", tree);
        out.request(20);
        for (int i = 0; i < 10; i++) {
            send(wine("wine", i));
        }
        data.sendNext(IntStream.range(10, 20).mapToObj(i -> wine("wine", i)).toList()); // one batch of ten
        try (Model expected = new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp)).load(tree)) {
            for (int i = 0; i < 20; i++) {
                ServingResult r = result(next());
                assertThat(r.getModelName()).isEqualTo(tree.getName());
                assertThat(r.getLabel()).isEqualTo(expected.score(WineFeatures.of(WINES.get(i).toRecord("wine"))).label());
                assertThat(r.getSourceOffset()).isEqualTo(i);
            }
        }
        assertThat(stats("wine").invocations()).isEqualTo(20);
    }

    @Test
    void aSwapMidStreamTakesOverFromTheNextRecords() {
        ModelDescriptor linear = ProjectModel.LINEAR_REGRESSION.descriptor("1");
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("2");
        publish(linear);
        models.sendNext(ModelMessage.CAUGHT_UP);
        awaitServing("wine", linear);
        out.request(10);
        for (int i = 0; i < 5; i++) {
            send(wine("wine", i));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(result(next()).getModelName()).isEqualTo(linear.getName());
        }
        publish(tree);
        awaitServing("wine", tree);
        for (int i = 5; i < 10; i++) {
            send(wine("wine", i));
        }
        for (int i = 5; i < 10; i++) {
            assertThat(result(next()).getModelName()).isEqualTo(tree.getName());
        }
        assertThat(stats("wine").modelSwaps()).isEqualTo(2);
    }

    @Test
    void eachDataTypeIsScoredByItsOwnModelAndABadModelChangesNothing() {
        ModelDescriptor red = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("red").build();
        ModelDescriptor white = ProjectModel.LINEAR_REGRESSION.descriptor("1").toBuilder().setDataType("white")
                .build();
        publish(red);
        publish(white);
        models.sendNext(new ModelMessage("white", "not a descriptor".getBytes(StandardCharsets.UTF_8)));
        models.sendNext(ModelMessage.CAUGHT_UP);
        awaitServing("red", red);
        awaitServing("white", white);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stats("white").failedLoads()).isEqualTo(1));
        out.request(1);
        send(wine("red", 0), wine("white", 1), wine("rose", 2),
                new DataRecord<>(null, "garbage".getBytes(StandardCharsets.UTF_8), "models_data", 0, 3, 3));
        List<Outcome<Integer>> batch = out.expectNext();
        assertThat(batch).extracting(Outcome::passThrough).containsExactly(0, 1, 2, 3); // one list, in order
        taken.addAll(batch);

        assertThat(result(next()).getModelName()).isEqualTo(red.getName());
        assertThat(result(next()).getModelName()).isEqualTo(white.getName());
        assertThat(next()).isInstanceOf(Outcome.Skipped.class);
        Outcome<Integer> dead = next();
        assertThat(dead).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.error()).startsWith("not a WineRecord");
            assertThat(d.source()).isEqualTo("models_data[0]@3");
        });
    }

    @Test
    void theEndOfTheModelsLeavesTheStageServingAndTheEndOfTheDataCompletesIt() {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        models.sendComplete();
        awaitServing("wine", tree);
        out.request(1);
        send(wine("wine", 0));
        assertThat(result(next()).getModelName()).isEqualTo(tree.getName());
        data.sendComplete();
        out.expectComplete();
    }

    /** Sends records as one batch. */
    @SafeVarargs
    private void send(DataRecord<Integer>... records) {
        data.sendNext(List.of(records));
    }

    /** The next outcome, in order, from the batches the stage handed on. */
    private Outcome<Integer> next() {
        while (taken.isEmpty()) {
            taken.addAll(out.expectNext());
        }
        return taken.poll();
    }

    private void publish(ModelDescriptor d) {
        models.sendNext(new ModelMessage(d.getDataType(), d.toByteArray()));
    }

    private void awaitServing(String dataType, ModelDescriptor d) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(view.models().toCompletableFuture().join().get(dataType)).isNotNull().satisfies(m -> {
                    assertThat(m.model().name()).isEqualTo(d.getName());
                    assertThat(m.model().version()).isEqualTo(d.getVersion());
                }));
    }

    private static DataRecord<Integer> wine(String dataType, int i) {
        WineRecord r = WINES.get(i).toRecord(dataType);
        return new DataRecord<>(null, r.toByteArray(), "models_data", 0, i, i);
    }

    private static ServingResult result(Outcome<Integer> o) {
        assertThat(o).isInstanceOf(Outcome.Result.class);
        try {
            return ServingResult.parseFrom(((Outcome.Result<Integer>) o).result());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
