package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each variant's topology with Kafka Streams' test driver: real models, real records, no broker. */
class TopologyTest {

    private static final List<WineRow> WINES = ProjectData.wines();

    @TempDir
    Path tmp;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> models;
    private TestInputTopic<byte[], byte[]> data;
    private TestOutputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> deadLetters;

    private LocalServing serving;
    private SimpleMeterRegistry meters;

    private void start(StoreVariant variant) {
        start(variant, Batching.DEFAULT);
    }

    private void start(StoreVariant variant, Batching batching) {
        start(variant, batching, PublishedModels.Limits.DEFAULT);
    }

    private void start(StoreVariant variant, Batching batching, PublishedModels.Limits limits) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
        serving = new LocalServing(LoadingPolicy.defaults().withWorkDir(tmp));
        meters = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(TopologyProducer.build(variant, serving, new ServingMetrics(meters),
                Topics.DEFAULT, batching, limits), props);
        models = driver.createInputTopic(Topics.DEFAULT_MODELS, new StringSerializer(), new ByteArraySerializer());
        data = driver.createInputTopic(Topics.DEFAULT_DATA, new ByteArraySerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(Topics.DEFAULT_RESULTS, new StringDeserializer(),
                new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(Topics.DEFAULT_DEAD_LETTERS, new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void recordsWithoutAModelAreSkippedAndNothingIsPublished(StoreVariant variant) {
        start(variant);
        sendWines("wine", 0, 10);

        assertThat(results.isEmpty()).isTrue();
        assertThat(serving.stats("wine").orElseThrow().skipped()).isEqualTo(10);
        assertThat(meters.counter("modelserving.records.skipped", "dataType", ServingMetrics.OTHER).count()).isEqualTo(10);
        assertThat(meters.counter("modelserving.records.in").count()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void aModelScoresEveryLaterRecordAsTheModelLibraryDoes(StoreVariant variant) throws Exception {
        start(variant);
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish("wine", tree.toByteArray());

        List<WineRecord> sent = sendWines("wine", 0, 40);

        List<ServingResult> out = read();
        assertThat(out).hasSize(40);
        try (Model expected = new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp)).load(tree)) {
            for (int i = 0; i < sent.size(); i++) {
                assertThat(out.get(i).getModelName()).isEqualTo(tree.getName());
                assertThat(out.get(i).getLabel()).isEqualTo(expected.score(WineFeatures.of(sent.get(i))).label());
                assertThat(out.get(i).getSourceOffset()).isEqualTo(i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void aSwapTakesEffectFromTheNextRecordOn(StoreVariant variant) throws Exception {
        start(variant);
        publish("wine", ProjectModel.LINEAR_REGRESSION.descriptor("1").toByteArray());
        List<WineRecord> before = sendWines("wine", 0, 5);
        publish("wine", ProjectModel.DECISION_TREE.descriptor("2").toByteArray());
        sendWines("wine", 5, 5);

        List<ServingResult> out = read();

        assertThat(out).extracting(ServingResult::getModelName).containsExactly(
                "wine-linear-regression", "wine-linear-regression", "wine-linear-regression",
                "wine-linear-regression", "wine-linear-regression",
                "wine-decision-tree", "wine-decision-tree", "wine-decision-tree", "wine-decision-tree",
                "wine-decision-tree");
        try (Model linear = new ModelFactory(LoadingPolicy.defaults()).load(
                ProjectModel.LINEAR_REGRESSION.descriptor("1"))) {
            assertThat(out.get(0).getValue()).isCloseTo(linear.score(WineFeatures.of(before.get(0))).value(), within(1e-9));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void aTombstoneOfTheLiveVersionGivesTheDataTypeBackToThePreviousVersion(StoreVariant variant) {
        start(variant);
        publishVersion("wine/1", ProjectModel.LINEAR_REGRESSION.descriptor("1").toByteArray(), "1");
        publishVersion("wine/2", ProjectModel.DECISION_TREE.descriptor("2").toByteArray(), "2");
        publishVersion("wine/2", null, "1");
        sendWines("wine", 0, 3);

        assertThat(read()).extracting(ServingResult::getModelVersion).containsExactly("1", "1", "1");
    }

    @ParameterizedTest
    @EnumSource(value = StoreVariant.class, names = {"STANDARD", "CUSTOM"})
    void theGlobalStoreOfPublishedModelsStaysWithinItsCapsAndKeepsTheLiveModelsMessage(StoreVariant variant) {
        byte[] tree = ProjectModel.DECISION_TREE.descriptor("1").toByteArray();
        // room for a few models: made-up dataTypes' models push the oldest out, never the one just published
        start(variant, Batching.DEFAULT, new PublishedModels.Limits(6L * tree.length));
        publishVersion("wine/1", tree, "1");
        for (int i = 0; i < 40; i++) {
            ModelDescriptor junk = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("junk-" + i)
                    .build();
            models.pipeInput("junk-" + i, junk.toByteArray());
        }
        for (int v = 2; v <= 45; v++) {
            models.pipeInput("wine/" + v, ProjectModel.DECISION_TREE.descriptor(String.valueOf(v)).toByteArray());
        }
        List<PublishedModels.Entry> kept = PublishedModels.all(driver.getKeyValueStore(StreamNames.PUBLISHED_MODELS));
        assertThat(kept.stream().mapToLong(PublishedModels.Entry::size).sum()).isLessThanOrEqualTo(6L * tree.length
                + 6 * 64);
        assertThat(kept).extracting(PublishedModels.Entry::key).contains("wine/45");
        // the task, which took the messages as they came, serves the newest version
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
            var served = serving.servedModels().get("wine");
            return served != null && served.model().version().equals("45");
        });
    }

    /** Publishes under a key of the lifecycle (a version's, or its tombstone) until the dataType serves {@code live}. */
    private void publishVersion(String key, byte[] value, String live) {
        models.pipeInput(key, value);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
            var served = serving.servedModels().get("wine");
            return served != null && served.model().version().equals(live);
        });
        driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void eachDataTypeIsScoredByItsOwnModel(StoreVariant variant) throws Exception {
        start(variant);
        publish("red", ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("red").build()
                .toByteArray());
        publish("white", ProjectModel.LINEAR_REGRESSION.descriptor("1").toBuilder().setDataType("white")
                .build().toByteArray());
        sendWines("red", 0, 1);
        sendWines("white", 1, 1);
        sendWines("rose", 2, 1);

        List<ServingResult> out = read();

        assertThat(out).extracting(r -> r.getDataType() + ":" + r.getModelName())
                .containsExactly("red:wine-decision-tree", "white:wine-linear-regression");
        assertThat(serving.stats("rose").orElseThrow().skipped()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void garbageRecordsGoToTheDeadLetterTopicWithTheReason(StoreVariant variant) {
        start(variant);
        publish("wine", ProjectModel.DECISION_TREE.descriptor("1").toByteArray());
        sendWines("wine", 0, 2);
        data.pipeInput("garbage".getBytes(StandardCharsets.UTF_8));
        sendWines("wine", 2, 2);

        assertThat(read()).hasSize(4);
        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader("error").value(), StandardCharsets.UTF_8))
                .startsWith("not a WineRecord");
    }

    @ParameterizedTest
    @EnumSource(value = StoreVariant.class, names = {"STANDARD", "CUSTOM"})
    void theChangelogHoldsTheModelsThatWentLiveAndARefusedModelLeavesThePreviousServing(StoreVariant variant) {
        start(variant);
        TestOutputTopic<String, byte[]> changelog = driver.createOutputTopic(
                "topology-test-" + variant.storeName() + "-changelog", new StringDeserializer(),
                new ByteArrayDeserializer());
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish("wine", tree.toByteArray());
        publish("wine", ModelDescriptor.newBuilder().setName("broken").setDataType("wine")
                .setModeltype(tree.getModeltype()).setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML"))
                .build().toByteArray());
        sendWines("wine", 0, 3);
        publish("gone", ProjectModel.LINEAR_REGRESSION.descriptor("1").toBuilder().setDataType("gone")
                .build().toByteArray());
        publish("gone", (byte[]) null);

        assertThat(read()).extracting(ServingResult::getModelName).containsOnly(tree.getName()).hasSize(3);
        assertThat(serving.stats("wine").orElseThrow().failedLoads()).isEqualTo(1);
        // each message applied is followed by its dataType's lifecycle counters and events, refusals too; the
        // last is recorded once its load (off the stream thread) is seen done at a sync
        List<TestRecord<String, byte[]>> all = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
            all.addAll(changelog.readRecordsToList());
            assertThat(all.stream().filter(r -> !ModelStore.ownKey(r.key())).map(TestRecord::key))
                    .containsExactly("wine", "gone", "gone");
        });
        List<TestRecord<String, byte[]>> logged = all.stream().filter(r -> !ModelStore.ownKey(r.key())).toList();
        assertThat(logged.get(0).value()).isEqualTo(tree.toByteArray());
        assertThat(logged.get(2).value()).isNull();
        assertThat(all.stream().map(r -> ModelStore.lifecycleOf(r.key())).filter(java.util.Objects::nonNull))
                .containsExactly("wine", "wine", "gone", "gone");
        assertThat(dev.modelserving.model.LifecycleCodec.decode(all.get(all.size() - 1).value()).events())
                .extracting(dev.modelserving.model.LifecycleEvent::kind).containsExactly("live", "removed");
        assertThat(serving.servedModels()).containsOnlyKeys("wine");
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void tensorflowRecordsAreHeldUntilTheBatchWaitEndsThenScoredTogetherInOrderAsTheModelLibraryDoes(
            StoreVariant variant) throws Exception {
        start(variant, new Batching(100, Duration.ofSeconds(1)));
        ModelDescriptor mlp = ProjectModel.MLP_FROZEN_GRAPH.descriptor("1");
        publish("wine", mlp.toByteArray());

        List<WineRecord> sent = sendWines("wine", 0, 30);
        assertThat(results.isEmpty()).as("held: the batch is neither full nor due").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        List<ServingResult> out = read();
        assertThat(out).extracting(ServingResult::getSourceOffset)
                .containsExactlyElementsOf(LongStream.range(0, 30).boxed().toList());
        try (Model expected = new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp)).load(mlp)) {
            for (int i = 0; i < sent.size(); i++) {
                // float32 results differ between batch shapes and CPUs: the label, and the value within a tolerance
                Prediction p = expected.score(WineFeatures.of(sent.get(i)));
                assertThat(out.get(i).getModelName()).isEqualTo(mlp.getName());
                assertThat(out.get(i).getProbabilitiesMap()).allSatisfy((label, probability) ->
                        assertThat(probability).isCloseTo(p.probabilities().get(label), within(1e-4)));
            }
        }
        assertThat(serving.stats("wine").orElseThrow().invocations()).isEqualTo(30);
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void aFullBatchIsScoredAtOnceAndAnyOtherRecordScoresTheHeldOnesFirst(StoreVariant variant) throws Exception {
        start(variant, new Batching(10, Duration.ofMinutes(1)));
        publish("wine", ProjectModel.MLP_FROZEN_GRAPH.descriptor("1").toByteArray());
        publish("red", ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("red").build()
                .toByteArray());

        sendWines("wine", 0, 25);
        assertThat(read()).as("two full batches").hasSize(20);
        sendWines("red", 25, 1);
        data.pipeInput("garbage".getBytes(StandardCharsets.UTF_8));
        sendWines("wine", 27, 1);

        assertThat(read()).extracting(r -> r.getDataType() + "@" + r.getSourceOffset())
                .containsExactly("wine@20", "wine@21", "wine@22", "wine@23", "wine@24", "red@25");
        assertThat(deadLetters.readRecordsToList()).hasSize(1);
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(read()).extracting(ServingResult::getSourceOffset).containsExactly(27L);
    }

    @ParameterizedTest
    @EnumSource(StoreVariant.class)
    void withBatchesOffEveryTensorflowRecordIsScoredAsItComes(StoreVariant variant) {
        start(variant, new Batching(1, Duration.ZERO));
        publish("wine", ProjectModel.MLP_FROZEN_GRAPH.descriptor("1").toByteArray());
        sendWines("wine", 0, 3);
        assertThat(read()).hasSize(3);
    }

    /**
     * Publishes a models-topic message and lets sync intervals pass, as a running server would, until the task has
     * applied it: a model swapped in or refused, a removal done (a task loads later models off its stream thread),
     * and one more interval for the task to record it in its store.
     */
    private void publish(String dataType, byte[] value) {
        long before = loads(dataType);
        models.pipeInput(dataType, value);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
            return value == null ? !serving.servedModels().containsKey(dataType) : loads(dataType) > before;
        });
        driver.advanceWallClockTime(Duration.ofMillis(ServingProcessor.SYNC_MS));
    }

    /** Models swapped in or refused for the dataType so far. */
    private long loads(String dataType) {
        return serving.stats(dataType).map(s -> s.modelSwaps() + s.failedLoads()).orElse(0L);
    }

    private List<WineRecord> sendWines(String dataType, int from, int count) {
        List<WineRecord> sent = WINES.subList(from, from + count).stream().map(w -> w.toRecord(dataType)).toList();
        sent.forEach(r -> data.pipeInput(r.toByteArray()));
        return sent;
    }

    private List<ServingResult> read() {
        return results.readValuesToList().stream().map(v -> {
            try {
                return ServingResult.parseFrom(v);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
