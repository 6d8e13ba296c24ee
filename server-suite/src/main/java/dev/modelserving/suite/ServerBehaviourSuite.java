package dev.modelserving.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.modelserving.broker.SharedBroker;
import dev.modelserving.data.ChurnRow;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.RecordDecoder;
import dev.modelserving.kafka.RecordEncoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.Features;
import dev.modelserving.model.Float32;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelDigest;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.PromotionRule;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The behaviour every model server must show, driven only through Kafka topics and the server's REST API against
 * the server running as a process of its own. A server module runs it with a subclass that says how to start the
 * server ({@link #launcher()}). Each test has topics of its own and a fresh server process.
 */
public abstract class ServerBehaviourSuite {

    /** The model size cap the servers under test are given: the servers' default (64 MiB). */
    public static final long MAX_MODEL_BYTES = LoadingPolicy.DEFAULT_MAX_MODEL_BYTES;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** One REST call; a slow or refused one is retried within the wait it is part of. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String WINE = ProjectData.DATA_TYPE;
    private static final List<WineRow> WINES = ProjectData.wines();
    private static final String CHURN = ProjectData.CHURN_DATA_TYPE;
    /** The churn MLP's dataType in a case that serves it beside the churn regression. */
    private static final String CHURN_TF = "churn-tf";
    private static final List<ChurnRow> CUSTOMERS = ProjectData.churnRows();

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<ModelDescriptor, Model> libraryModels = new HashMap<>();
    private TestKafka kafka;
    private Topics topics;
    private ServerSettings settings;
    private ServerProcess server;
    private Path logs;
    private int starts;

    /** How to start the server under test. */
    protected abstract ServerLauncher launcher();

    /** The Kafka the servers use: by default the test JVM's in-process broker. */
    protected String bootstrapServers() {
        return SharedBroker.get().bootstrapServers();
    }

    /** Where server logs go: target/suite-logs/<test class>/. */
    protected Path logDirectory() {
        return Path.of("target", "suite-logs", getClass().getSimpleName());
    }

    @BeforeEach
    void startTheServer(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        // Locale.ROOT: in a Turkish locale "I" lower-cases to a dotless i, which a topic name may not hold.
        String prefix = name.toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8) + "_";
        topics = Topics.withPrefix(prefix);
        kafka = new TestKafka(bootstrapServers());
        kafka.createTopics(topics);
        Path state = logDirectory().resolve(name + "-state");
        deleteRecursively(state); // what a server kept from an earlier run of this case is not this case's
        Files.createDirectories(state);
        logs = logDirectory().resolve(name + ".log").toAbsolutePath();
        Files.deleteIfExists(logs);
        settings = new ServerSettings(bootstrapServers(), topics, prefix + "group", freePort(), state.toAbsolutePath(),
                MAX_MODEL_BYTES, logs);
        for (WithServerSetting setting : test.getTestMethod().orElseThrow()
                .getAnnotationsByType(WithServerSetting.class)) {
            settings = settings.with(setting.key(), setting.value());
        }
        server = launcher().start(settings);
        starts = 1;
    }

    /**
     * Ends the case's server with SIGKILL: a graceful stop takes the Quarkus servers 3-6 s, and the cases that are
     * about stopping (the restarts here, the fault suite's stop mid-backlog) stop their server gracefully themselves.
     */
    @AfterEach
    void stopTheServer() throws Exception {
        try {
            if (server != null) {
                server.kill();
            }
        } finally {
            kafka.close();
            libraryModels.values().forEach(Model::close);
        }
    }

    @Test
    void recordsWithoutAModelAreSkippedCountedAndNotPublished() throws Exception {
        sendWines(WINE, 0, 20);

        awaitState(WINE, s -> assertThat(s.path("skipped").asLong()).isEqualTo(20));
        assertThat(state(WINE).path("name").isNull()).isTrue();
        assertThat(state(WINE).path("invocations").asLong()).isZero();
        assertThat(status("/state/no-such-type")).isEqualTo(404);
        assertThat(kafka.readAll(topics.results())).isEmpty();
    }

    @Test
    void recordsOfMadeUpDataTypesNeverKeepANewDataTypesModelFromServingAndAddNoMeters() throws Exception {
        // more made-up dataTypes than a server gives models to (model-server.max-data-types, 1,000)
        List<byte[]> junk = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            junk.add(WINES.get(i % WINES.size()).toRecord("junk-" + i).toByteArray());
        }
        List<Position> junkSent = kafka.sendRoundRobin(topics.data(), TestKafka.DATA_PARTITIONS, junk);
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> assertThat(get("/state")
                .findValues("skipped").stream().mapToLong(JsonNode::asLong).sum()).isEqualTo(junkSent.size()));
        ModelDescriptor beer = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("beer").build();
        publish(beer);
        awaitServing("beer", beer);

        Map<Position, WineRecord> beers = new LinkedHashMap<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add(WINES.get(i % WINES.size()).toRecord("beer").toByteArray());
        }
        List<Position> sent = kafka.sendRoundRobin(topics.data(), TestKafka.DATA_PARTITIONS, values);
        for (int i = 0; i < sent.size(); i++) {
            beers.put(sent.get(i), WineRecord.parseFrom(values.get(i)));
        }
        Map<Position, List<ServingResult>> results = awaitResultsFor(beers.keySet());
        assertThat(results.keySet()).as("every beer record is scored").containsAll(beers.keySet());
        // the made-up dataTypes are counted, by name for the last 100 a registry saw, the rest together
        JsonNode all = get("/state");
        assertThat(all.size()).isLessThanOrEqualTo(TestKafka.DATA_PARTITIONS * 100 + 2);
        assertThat(all.path("beer").path("skipped").asLong()).isZero();
        String metrics = http.send(HttpRequest.newBuilder(server.base().resolve("/q/metrics")).timeout(REQUEST_TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).as("no meter is tagged with a made-up dataType").doesNotContain("junk-")
                .contains("dataType=\"beer\"").contains("dataType=\"other\"");
    }

    @Test
    void aPmmlModelScoresEveryLaterRecordAsTheModelLibraryDoes() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);

        Map<Position, WineRecord> sent = sendWines(WINE, 0, 50);

        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        sent.forEach((position, record) -> {
            ServingResult r = results.get(position).get(0);
            assertThat(r.getModelName()).isEqualTo(tree.getName());
            assertThat(r.getModelVersion()).isEqualTo("1");
            assertThat(r.getModelSha256()).isEqualTo(sha256(tree));
            assertThat(r.getDataType()).isEqualTo(WINE);
            assertThat(r.getLabel()).isEqualTo(expected(tree, record).label());
            assertThat(r.getProbabilitiesMap()).isEqualTo(expected(tree, record).probabilities());
        });
        awaitState(WINE, s -> {
            assertThat(s.path("name").asText()).isEqualTo(tree.getName());
            assertThat(s.path("invocations").asLong()).isEqualTo(50);
            assertThat(s.path("skipped").asLong()).isZero();
        });
    }

    @Test
    void aModelSwapUnderLoadScoresEveryRecordByTheOldOrTheNewModelAndThenOnlyTheNew() throws Exception {
        ModelDescriptor linear = ProjectModel.LINEAR_REGRESSION.descriptor("1");
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("2");
        publish(linear);
        awaitServing(WINE, linear);

        Map<Position, WineRecord> sent = new LinkedHashMap<>(sendWines(WINE, 0, 300));
        publish(tree);
        sent.putAll(sendWines(WINE, 300, 300));
        awaitServing(WINE, tree);
        Map<Position, WineRecord> afterSwap = sendWines(WINE, 600, 50);
        sent.putAll(afterSwap);

        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        for (var e : results.entrySet()) {
            for (ServingResult r : e.getValue()) {
                assertThat(r.getModelName()).isIn(linear.getName(), tree.getName());
                if (r.getModelName().equals(linear.getName())) {
                    assertThat(r.getValue()).isCloseTo(expected(linear, sent.get(e.getKey())).value(), within(1e-9));
                } else {
                    assertThat(r.getLabel()).isEqualTo(expected(tree, sent.get(e.getKey())).label());
                }
            }
        }
        afterSwap.keySet().forEach(p -> assertThat(results.get(p)).allMatch(r -> r.getModelName().equals(tree.getName())));
        // Within a partition, once a record was scored by the new model no later record is scored by the old one.
        Map<Integer, List<Position>> byPartition = results.keySet().stream()
                .collect(Collectors.groupingBy(Position::partition));
        byPartition.values().forEach(positions -> {
            positions.sort(null);
            boolean swapped = false;
            for (Position p : positions) {
                boolean byTree = results.get(p).stream().allMatch(r -> r.getModelName().equals(tree.getName()));
                assertThat(!swapped || byTree).as("record %s scored by the old model after the swap", p).isTrue();
                swapped |= byTree;
            }
        });
    }

    /** Far above Kafka's 1 MiB default message size, close to the servers' 64 MiB cap. */
    @Test
    void aFiftyMebibyteModelPublishedInlineScoresAsTheModelLibraryDoes() throws Exception {
        int mebibytes = 50;
        ModelDescriptor big = ModelDescriptor.newBuilder(ProjectModel.DECISION_TREE.descriptor(mebibytes + "mib"))
                .setData(ByteString.copyFrom(ProjectModel.DECISION_TREE.paddedTo(mebibytes << 20))).build();
        publish(big);
        awaitServing(WINE, big);

        Map<Position, WineRecord> sent = sendWines(WINE, 0, 100);
        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        results.forEach((p, rs) -> assertThat(rs).allSatisfy(r -> {
            assertThat(r.getModelName()).isEqualTo(big.getName());
            assertThat(r.getLabel()).isEqualTo(expected(big, sent.get(p)).label());
        }));
    }

    @Test
    void twoDataTypesAreEachScoredByTheirOwnModel() throws Exception {
        ModelDescriptor red = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("red").build();
        ModelDescriptor white = ProjectModel.LINEAR_REGRESSION.descriptor("1").toBuilder().setDataType("white").build();
        publish(red);
        publish(white);
        awaitServing("red", red);
        awaitServing("white", white);

        Map<Position, WineRecord> sent = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            sent.putAll(sendWines(i % 2 == 0 ? "red" : "white", i, 1));
        }

        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        sent.forEach((position, record) -> {
            ServingResult r = results.get(position).get(0);
            assertThat(r.getDataType()).isEqualTo(record.getDataType());
            if (record.getDataType().equals("red")) {
                assertThat(r.getModelName()).isEqualTo(red.getName());
                assertThat(r.getLabel()).isEqualTo(expected(red, record).label());
            } else {
                assertThat(r.getModelName()).isEqualTo(white.getName());
                assertThat(r.getValue()).isCloseTo(expected(white, record).value(), within(1e-9));
            }
        });
    }

    @Test
    void everyDataTypesStateIsAtDataTypesEvenWhenItsNameIsAnotherEndpoints() throws Exception {
        for (String dataType : List.of("value", "instances", "models")) {
            ModelDescriptor d = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType(dataType).build();
            publish(d);
            awaitServing(dataType, d);
            sendWines(dataType, 0, 3);
        }

        for (String dataType : List.of("value", "instances", "models")) {
            waitUpTo(WAIT).untilAsserted(() -> {
                JsonNode stats = get("/dataTypes/" + dataType);
                assertThat(stats.path("dataType").asText()).isEqualTo(dataType);
                assertThat(stats.path("name").asText()).isEqualTo(ProjectModel.DECISION_TREE.descriptor("1").getName());
                assertThat(stats.path("invocations").asLong()).isEqualTo(3);
            });
        }
        assertThat(get("/dataTypes").fieldNames()).toIterable().contains("value", "instances", "models");
        assertThat(status("/dataTypes/no-such-type")).isEqualTo(404);
    }

    @Test
    void badModelsAreRefusedWithTheirReasonWhileThePreviousModelKeepsServing() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);
        byte[] garbage = new byte[1024];
        new Random(7).nextBytes(garbage);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE PMML [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\"><Header description=\"&x;\"/></PMML>";
        Map<String, ModelDescriptor> bad = new LinkedHashMap<>();
        bad.put("not a usable PMML document", pmml("garbage", garbage));
        bad.put("DOCTYPE", pmml("xxe", xxe.getBytes(StandardCharsets.UTF_8)));
        bad.put("over the cap of " + MAX_MODEL_BYTES + " bytes", pmml("huge", new byte[(int) MAX_MODEL_BYTES + 1]));
        bad.put("unknown model type 7", pmml("future", ProjectModel.DECISION_TREE.bytes()).toBuilder()
                .setModeltypeValue(7).build());

        Map<Position, WineRecord> sent = new LinkedHashMap<>();
        int failures = 0;
        for (var e : bad.entrySet()) {
            publish(e.getValue());
            int expectedFailures = ++failures;
            awaitState(WINE, s -> {
                assertThat(s.path("failedLoads").asLong()).isEqualTo(expectedFailures);
                assertThat(s.path("lastLoadFailure").path("modelName").asText()).isEqualTo(e.getValue().getName());
                assertThat(s.path("lastLoadFailure").path("reason").asText()).contains(e.getKey());
            });
            assertThat(models().path(WINE).path("model").path("name").asText()).isEqualTo(tree.getName());
            sent.putAll(sendWines(WINE, failures * 10, 10));
        }
        kafka.send(topics.models(), WINE, "not a descriptor".getBytes(StandardCharsets.UTF_8));
        awaitState(WINE, s -> assertThat(s.path("lastLoadFailure").path("reason").asText())
                .contains("not a ModelDescriptor"));

        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        assertThat(results).hasSize(40);
        results.values().forEach(rs -> assertThat(rs).allMatch(r -> r.getModelName().equals(tree.getName())));
    }

    @Test
    void garbageRecordsGoToTheDeadLetterTopicAndEveryGoodRecordIsScored() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);

        Map<Position, WineRecord> good = new LinkedHashMap<>();
        List<Position> garbage = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            if (i % 6 == 5) {
                // 'g' = field 12 with wire type 7, which does not exist: never a valid protobuf message
                garbage.add(kafka.send(topics.data(), null,
                        ("garbage-" + i).getBytes(StandardCharsets.UTF_8)));
            } else {
                good.putAll(sendWines(WINE, i, 1));
            }
        }

        Map<Position, List<ServingResult>> results = awaitResultsFor(good.keySet());
        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(good.keySet());
        List<ConsumerRecord<String, byte[]>> dead = awaitMessages(topics.deadLetters(), garbage.size());
        assertThat(dead).hasSize(garbage.size());
        assertThat(dead).allSatisfy(m -> assertThat(header(m, "error")).contains("not a WineRecord"));
        assertThat(dead.stream().map(m -> header(m, "source")).toList()).containsExactlyInAnyOrderElementsOf(
                garbage.stream().map(p -> topics.data() + "[" + p.partition() + "]@" + p.offset()).toList());
        assertThat(kafka.readAll(topics.results())).hasSize(good.size());
    }

    @Test
    @WithServerSetting(key = "model-server.results.format", value = "json")
    void jsonChurnRecordsAreScoredByTheChurnTreeAsTheModelLibraryDoesAndTheirResultsAreJson() throws Exception {
        ModelDescriptor tree = ProjectModel.CHURN_DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(CHURN, tree);

        Map<Position, Features> sent = new LinkedHashMap<>();
        Map<Position, String> keys = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] record = jsonRecord(CHURN, CUSTOMERS.get(i).values());
            Position p = kafka.send(topics.data(), "customer-" + i, record, RecordFormat.JSON.contentType);
            sent.put(p, RecordDecoder.decode(record, RecordFormat.JSON));
            keys.put(p, "customer-" + i);
        }

        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        sent.forEach((position, record) -> {
            ServingResult r = results.get(position).get(0);
            assertThat(r.getModelName()).isEqualTo(tree.getName());
            assertThat(r.getDataType()).isEqualTo(CHURN);
            assertThat(r.getLabel()).isIn("no", "yes").isEqualTo(expected(tree, record).label());
            assertThat(r.getProbabilitiesMap()).isEqualTo(expected(tree, record).probabilities());
        });
        for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.results())) {
            assertThat(header(m, RecordFormat.HEADER)).isEqualTo("application/json");
            JsonNode r = json.readTree(m.value());
            assertThat(r.path("modelName").asText()).isEqualTo(tree.getName());
            // protobuf's JSON mapping leaves out fields at their default (partition 0) and writes int64 as strings
            Position scored = new Position(r.path("sourcePartition").asInt(), r.path("sourceOffset").asLong());
            assertThat(m.key()).isEqualTo(keys.get(scored));
        }
        awaitState(CHURN, s -> assertThat(s.path("invocations").asLong()).isEqualTo(40));
    }

    @Test
    @WithServerSetting(key = "model-server.data.format", value = "features")
    void featureRecordsAreReadByTheDefaultFormatAndWineRecordsByTheirContentTypeEachByItsOwnModel()
            throws Exception {
        ModelDescriptor logistic = ProjectModel.CHURN_LOGISTIC_REGRESSION.descriptor("1");
        ModelDescriptor wineTree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(logistic);
        publish(wineTree);
        awaitServing(CHURN, logistic);
        awaitServing(WINE, wineTree);

        Map<Position, Features> customers = new LinkedHashMap<>();
        Map<Position, Features> wines = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            if (i % 4 == 3) {
                // a tutorial WineRecord, named by its header, among FeatureRecords without one
                WineRecord wine = WINES.get(i).toRecord(WINE);
                wines.put(kafka.send(topics.data(), null, wine.toByteArray(), RecordFormat.WINE.contentType),
                        WineFeatures.of(wine));
            } else {
                byte[] record = featureRecord(CHURN, CUSTOMERS.get(i).values());
                customers.put(kafka.send(topics.data(), null, record, null),
                        RecordDecoder.decode(record, RecordFormat.FEATURES));
            }
        }
        Position unknown = kafka.send(topics.data(), null, jsonRecord(CHURN, CUSTOMERS.get(0).values()), "text/csv");

        Set<Position> all = new java.util.HashSet<>(customers.keySet());
        all.addAll(wines.keySet());
        Map<Position, List<ServingResult>> results = awaitResultsFor(all);
        customers.forEach((position, record) -> {
            ServingResult r = results.get(position).get(0);
            assertThat(r.getModelName()).isEqualTo(logistic.getName());
            assertThat(r.getLabel()).isEqualTo(expected(logistic, record).label());
            assertThat(r.getProbabilitiesOrThrow("yes"))
                    .isCloseTo(expected(logistic, record).probabilities().get("yes"), within(1e-12));
        });
        wines.forEach((position, record) -> {
            assertThat(results.get(position).get(0).getModelName()).isEqualTo(wineTree.getName());
            assertThat(results.get(position).get(0).getLabel()).isEqualTo(expected(wineTree, record).label());
        });
        List<ConsumerRecord<String, byte[]>> dead = awaitMessages(topics.deadLetters(), 1);
        assertThat(header(dead.get(0), "error")).startsWith("unknown content-type 'text/csv'");
        assertThat(header(dead.get(0), "source")).isEqualTo(topics.data() + "[" + unknown.partition() + "]@"
                + unknown.offset());
        assertThat(kafka.readAll(topics.results())).hasSize(all.size());
    }

    @Test
    void aRecordLackingAnInputItsModelCannotDoWithoutIsDeadLetteredNamingWhatItLacks() throws Exception {
        // the logistic regression replaces a missing support_calls by the median (its mining schema says so); the
        // TensorFlow MLP has no such rule
        ModelDescriptor logistic = ProjectModel.CHURN_LOGISTIC_REGRESSION.descriptor("1");
        ModelDescriptor mlp = ProjectModel.CHURN_MLP.descriptor("1").toBuilder().setDataType(CHURN_TF).build();
        publish(logistic);
        publish(mlp);
        awaitServing(CHURN, logistic);
        awaitServing(CHURN_TF, mlp);
        Map<String, Object> noCalls = new LinkedHashMap<>(CUSTOMERS.get(5).values());
        noCalls.remove(ChurnRow.SUPPORT_CALLS);
        Map<String, Object> noTenure = new LinkedHashMap<>(CUSTOMERS.get(6).values());
        noTenure.remove(ChurnRow.TENURE);

        byte[] logisticNoCalls = jsonRecord(CHURN, noCalls);
        Position scoredWithTheMedian = kafka.send(topics.data(), "a", logisticNoCalls, RecordFormat.JSON.contentType);
        Position logisticNoTenure = kafka.send(topics.data(), "b", jsonRecord(CHURN, noTenure),
                RecordFormat.JSON.contentType);
        byte[] mlpNoCalls = jsonRecord(CHURN_TF, noCalls);
        Position tfNoCalls = kafka.send(topics.data(), "c", mlpNoCalls, RecordFormat.JSON.contentType);
        byte[] mlpWhole = jsonRecord(CHURN_TF, CUSTOMERS.get(7).values());
        Position tfWhole = kafka.send(topics.data(), "d", mlpWhole, RecordFormat.JSON.contentType);

        Map<Position, List<ServingResult>> results = awaitResultsFor(Set.of(scoredWithTheMedian, tfWhole));
        assertThat(results.get(scoredWithTheMedian).get(0).getLabel())
                .isEqualTo(expected(logistic, RecordDecoder.decode(logisticNoCalls, RecordFormat.JSON)).label());
        Prediction tf = Prediction.classification(results.get(tfWhole).get(0).getLabel(),
                results.get(tfWhole).get(0).getProbabilitiesMap());
        assertThat(Float32.mismatch(tf, expected(mlp, RecordDecoder.decode(mlpWhole, RecordFormat.JSON)))).isEmpty();
        List<ConsumerRecord<String, byte[]>> dead = awaitMessages(topics.deadLetters(), 2);
        assertThat(dead).hasSize(2);
        Map<String, ConsumerRecord<String, byte[]>> bySource = new HashMap<>();
        dead.forEach(m -> bySource.put(header(m, "source"), m));
        ConsumerRecord<String, byte[]> tenure = bySource.get(topics.data() + "[" + logisticNoTenure.partition() + "]@"
                + logisticNoTenure.offset());
        assertThat(tenure.key()).isEqualTo("b");
        assertThat(header(tenure, "error")).contains("the record lacks the model's inputs [tenure]");
        assertThat(header(tenure, RecordFormat.HEADER)).isEqualTo(RecordFormat.JSON.contentType);
        ConsumerRecord<String, byte[]> calls = bySource.get(topics.data() + "[" + tfNoCalls.partition() + "]@"
                + tfNoCalls.offset());
        assertThat(calls.key()).isEqualTo("c");
        assertThat(calls.value()).isEqualTo(mlpNoCalls);
        assertThat(header(calls, "error")).contains("the record lacks the model's inputs [support_calls]");
        assertThat(kafka.readAll(topics.results())).hasSize(2);
    }

    @Test
    void resultsAndDeadLettersCarryTheKeyOfTheirInputRecord() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);
        List<String> someKeys = Arrays.asList("order-17", null, "kunde-\u00fc-42", "");

        Map<Position, String> goodKeys = new LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            String key = someKeys.get(i % someKeys.size());
            goodKeys.put(kafka.send(topics.data(), key, WINES.get(i).toRecord(WINE).toByteArray()), key);
        }
        Map<String, String> deadKeys = new LinkedHashMap<>();
        for (String key : Arrays.asList("bad-1", null)) {
            Position p = kafka.send(topics.data(), key, "garbage".getBytes(StandardCharsets.UTF_8));
            deadKeys.put(topics.data() + "[" + p.partition() + "]@" + p.offset(), key);
        }

        awaitResultsFor(goodKeys.keySet());
        for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.results())) {
            ServingResult r = ServingResult.parseFrom(m.value());
            Position scored = new Position(r.getSourcePartition(), r.getSourceOffset());
            assertThat(m.key()).as("key of the result of %s", scored).isEqualTo(goodKeys.get(scored));
        }
        List<ConsumerRecord<String, byte[]>> dead = awaitMessages(topics.deadLetters(), deadKeys.size());
        assertThat(dead).allSatisfy(m -> assertThat(m.key()).as("key of the dead letter of %s", header(m, "source"))
                .isEqualTo(deadKeys.get(header(m, "source"))));
        assertThat(dead.stream().map(m -> header(m, "source")).toList())
                .containsExactlyInAnyOrderElementsOf(deadKeys.keySet());
    }

    @Test
    void aRestartedServerServesTheLastModelWithoutARepublishAndScoresWhatArrivedMeanwhile() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);
        Map<Position, WineRecord> before = sendWines(WINE, 0, 20);
        awaitResultsFor(before.keySet());

        server.stop();
        Map<Position, WineRecord> meanwhile = sendWines(WINE, 20, 20);
        server = launcher().start(settings);
        starts++;

        awaitServing(WINE, tree);
        Map<Position, List<ServingResult>> results = awaitResultsFor(meanwhile.keySet());
        meanwhile.forEach((position, record) -> {
            ServingResult r = results.get(position).get(0);
            assertThat(r.getModelName()).isEqualTo(tree.getName());
            assertThat(r.getLabel()).isEqualTo(expected(tree, record).label());
        });
        assertThat(kafka.readAll(topics.models())).hasSize(1);
        assertThat(state(WINE).path("skipped").asLong()).isZero();
    }

    @Test
    void aModelRefusedAfterAGoodOneLeavesTheGoodOneServingAfterARestartToo() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);
        publish(pmml("broken", "<PMML".getBytes(StandardCharsets.UTF_8)));
        awaitState(WINE, s -> assertThat(s.path("lastLoadFailure").path("modelName").asText()).isEqualTo("broken"));

        server.stop();
        server = launcher().start(settings);
        starts++;

        awaitServing(WINE, tree);
        Map<Position, WineRecord> sent = sendWines(WINE, 0, 10);
        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        results.values().forEach(rs -> assertThat(rs).allMatch(r -> r.getModelName().equals(tree.getName())));
    }

    @Test
    void tensorflowModelsScoreAsTheModelLibraryDoes() throws Exception {
        for (ProjectModel m : List.of(ProjectModel.MLP_FROZEN_GRAPH, ProjectModel.MLP_SAVED_MODEL)) {
            ModelDescriptor mlp = m.descriptor("1");
            publish(mlp);
            awaitServing(WINE, mlp);
            Map<Position, WineRecord> sent = sendWines(WINE, 0, 30);

            Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
            sent.forEach((position, record) -> {
                ServingResult r = results.get(position).get(0);
                assertThat(r.getModelName()).isEqualTo(mlp.getName());
                assertThat(r.getModelSha256()).isEqualTo(sha256(mlp));
                // The server scores in batches, the library here one record at a time: float32 rounding differs.
                Prediction served = Prediction.classification(r.getLabel(), r.getProbabilitiesMap());
                assertThat(Float32.mismatch(served, expected(mlp, record))).as("record " + position).isEmpty();
            });
        }
    }

    @Test
    void instancesOfOneGroupShareTheRecordsAndEachHoldsEveryModel() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publish(tree);
        awaitServing(WINE, tree);
        ServerSettings secondSettings = new ServerSettings(settings.bootstrapServers(), settings.topics(),
                settings.consumerGroup(), freePort(), Files.createDirectories(settings.stateDir().resolve("second")),
                settings.maxModelBytes(), settings.logFile().resolveSibling(logs.getFileName() + ".second"));
        try (ServerProcess second = launcher().start(secondSettings)) {
            waitUpTo(WAIT).untilAsserted(() -> assertThat(get(second, "/models").path(WINE).path("model")
                    .path("name").asText()).isEqualTo(tree.getName()));
            // Wait until the group has rebalanced onto both instances before sending.
            waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<Position, WineRecord> probe = sendWinesToEveryPartition(0, 12);
                awaitResultsFor(probe.keySet());
                assertThat(get(second, "/state/" + WINE).path("invocations").asLong()).isPositive();
            });
            long firstBefore = state(WINE).path("invocations").asLong();
            long secondBefore = get(second, "/state/" + WINE).path("invocations").asLong();

            Map<Position, WineRecord> sent = sendWinesToEveryPartition(100, 90);

            awaitResultsFor(sent.keySet());
            waitUpTo(WAIT).untilAsserted(() -> {
                long first = state(WINE).path("invocations").asLong() - firstBefore;
                long other = get(second, "/state/" + WINE).path("invocations").asLong() - secondBefore;
                assertThat(first).as("records scored by the first instance").isPositive();
                assertThat(other).as("records scored by the second instance").isPositive();
                assertThat(first + other).isGreaterThanOrEqualTo(90);
            });
        }
    }

    // ---- the dashboard (README, "Dashboard") -----------------------------------------------------------------------

    /**
     * Whether this variant runs the dashboard case in a real browser: one variant per server (the page and its feed
     * are the same on every variant of a server).
     */
    protected boolean showsTheDashboardInABrowser() {
        return false;
    }

    /** The Grafana dashboard, from the module's directory (where Maven runs the tests). */
    private static final Path GRAFANA = Path.of("..", "docs", "grafana", "model-serving.json");
    /** A model appears on the page within this of its publication (the page polls every second). */
    private static final Duration PAGE_SHOWS = Duration.ofSeconds(2);

    @Test
    void theDashboardShowsModelsRatesSwapsAndRefusalsLiveInABrowser() throws Exception {
        assumeTrue(showsTheDashboardInABrowser(), "the dashboard case runs on one variant of each server");
        assumeTrue(!DashboardBrowser.skipped(), "left out with -D" + DashboardBrowser.SKIP_PROPERTY + "=skip");
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        ModelDescriptor regression = ProjectModel.LINEAR_REGRESSION.descriptor("2");
        String card = "section.datatype[data-datatype='" + WINE + "'] ";
        try (DashboardBrowser browser = DashboardBrowser.start()) {
            // "/" leads to the page, which goes live on the server's feed
            browser.open(server.base().resolve("/").toString());
            assertThat(browser.url()).endsWith("/dashboard/");
            waitUpTo(WAIT).untilAsserted(() -> assertThat(browser.attribute("#status", "data-state"))
                    .isEqualTo("live"));
            assertThat(browser.text("[data-field='server']")).isNotBlank();

            // the server has loaded a PMML model once (a fresh JVM's first load takes its classes' loading too)
            ModelDescriptor warmUp = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("warm-up")
                    .build();
            publish(warmUp);
            awaitServing("warm-up", warmUp);

            // a model published: its name and version on the page within 2 s of its publication
            long published = System.nanoTime();
            publish(tree);
            await().atMost(PAGE_SHOWS).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                assertThat(browser.text(card + "[data-field='model-name']")).isEqualTo(tree.getName());
                assertThat(browser.text(card + "[data-field='model-version']")).isEqualTo("1");
                assertThat(browser.text(card + "[data-field='model-sha']"))
                        .isEqualTo(sha256(tree).substring(0, 12));
            });
            System.out.printf("dashboard: %s on the page %d ms after it was published%n", tree.getName(),
                    (System.nanoTime() - published) / 1_000_000);
            awaitServing(WINE, tree);

            // records flowing: the rates rise above 0 while they flow
            AtomicReference<Exception> flowFailed = new AtomicReference<>();
            Thread flow = new Thread(() -> {
                try {
                    for (int i = 0; i < 40 && !Thread.currentThread().isInterrupted(); i++) {
                        sendWines(WINE, i * 25, 25);
                        Thread.sleep(100); // the load's pace (about 250 records/s, not one burst), not a wait
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    flowFailed.set(e);
                }
            }, "dashboard-records");
            flow.start();
            try {
                waitUpTo(WAIT).untilAsserted(() -> {
                    assertThat(flowFailed.get()).as("sending the records").isNull();
                    assertThat(Double.parseDouble(browser.text("[data-field='rate-in']"))).isPositive();
                    assertThat(Double.parseDouble(browser.text("[data-field='rate-out']"))).isPositive();
                    assertThat(Double.parseDouble(browser.text(card + "[data-field='rate']"))).isPositive();
                });
            } finally {
                flow.interrupt();
                flow.join();
            }
            waitUpTo(WAIT).untilAsserted(() -> assertThat(Long.parseLong(browser.text(card
                    + "[data-field='scored']"))).isEqualTo(state(WINE).path("invocations").asLong()).isPositive());
            // the latency the page works out of the histogram: a p50 and a p99 no smaller, both above 0
            waitUpTo(WAIT).untilAsserted(() -> {
                String p50 = browser.text(card + "[data-field='p50']");
                String p99 = browser.text(card + "[data-field='p99']");
                assertThat(p50).matches("[0-9.]+");
                assertThat(p99).matches("[0-9.]+");
                assertThat(Double.parseDouble(p50)).isPositive();
                assertThat(Double.parseDouble(p99)).isGreaterThanOrEqualTo(Double.parseDouble(p50));
            });

            // a swap: the new version and its event, on the page within 2 s of its publication
            publish(regression);
            await().atMost(PAGE_SHOWS).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                assertThat(browser.text(card + "[data-field='model-name']")).isEqualTo(regression.getName());
                assertThat(browser.text(card + "[data-field='model-version']")).isEqualTo("2");
                assertThat(browser.texts("#events li.event[data-kind='live']"))
                        .anySatisfy(e -> assertThat(e).contains(regression.getName()));
            });
            awaitServing(WINE, regression);

            // a refused model: its reason and the event, on the page within 2 s of its publication
            ModelDescriptor garbage = pmml("garbage", "not a PMML document".getBytes(StandardCharsets.UTF_8));
            publish(garbage);
            await().atMost(PAGE_SHOWS).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                assertThat(browser.text(card + "[data-field='last-refused']")).startsWith("garbage vbad: ");
                assertThat(browser.texts("#events li.event[data-kind='refused']")).isNotEmpty();
                assertThat(browser.text(card + "[data-field='failed-loads']")).isEqualTo("1");
            });
            String reason = state(WINE).path("lastLoadFailure").path("reason").asText();
            assertThat(reason).contains("not a usable PMML document");
            assertThat(browser.attribute(card + "[data-field='last-refused']", "title")).isEqualTo(reason);
            assertThat(browser.text(card + "[data-field='model-name']")).isEqualTo(regression.getName());
            // the consumer lag per partition, from the Kafka client metrics
            waitUpTo(WAIT).untilAsserted(() -> assertThat(browser.texts("#lag-rows tr[data-partition]"))
                    .hasSize(TestKafka.DATA_PARTITIONS));
            browser.screenshot(logDirectory().resolve("dashboard.png"));

            // the compare view reads the feed from another origin (localhost, not 127.0.0.1): the server allows it
            String other = "http://localhost:" + server.base().getPort();
            browser.open(server.base().resolve("/dashboard/compare.html?reactive=" + other + "&kstreams=" + other
                    + "&akka=" + other).toString());
            waitUpTo(WAIT).untilAsserted(() -> assertThat(browser.attributes("section.engine [data-field='status']",
                    "data-state")).containsExactly("live", "live", "live"));
            assertThat(browser.texts("section.engine tr.datatype[data-datatype='" + WINE + "'] "
                    + "[data-field='model-name']")).containsOnly(regression.getName());
            assertThat(browser.consoleProblems()).as("the browser's console").isEmpty();
        }

        // every metric the Grafana dashboard queries is in the server's Prometheus metrics
        Set<String> queried = DashboardBrowser.grafanaMetricNames(GRAFANA);
        assertThat(queried).contains("modelserving_scoring_latency_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag");
        Set<String> exported = new HashSet<>();
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(server.base().resolve("/q/metrics"))
                .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        metrics.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        assertThat(exported).as("the metrics %s queries", GRAFANA).containsAll(queried);
    }

    // ---- model lifecycle (README, "Model lifecycle") --------------------------------------------------------------

    /**
     * Whether the server under test takes part in the model lifecycle (versioned keys, candidates, shadow scoring,
     * promotion and rollback): the lifecycle cases are skipped for a server that does not yet.
     */
    protected boolean servesTheModelLifecycle() {
        return false;
    }

    @Test
    void aCandidateScoresBesideTheLiveModelOnTheShadowTopicOnlyAndAPromotionMakesItLiveFromAnOffset()
            throws Exception {
        assumeTrue(servesTheModelLifecycle(), "this server does not serve the model lifecycle yet");
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        publishVersion(tree);
        awaitServing(WINE, tree);
        ModelDescriptor mlp = ProjectModel.MLP_FROZEN_GRAPH.descriptor("2").toBuilder().setCandidate(true).build();
        publishVersion(mlp);
        awaitState(WINE, s -> assertThat(s.path("lifecycle").path("candidate").path("candidate").asText())
                .isEqualTo("'" + mlp.getName() + "' v2"));

        Map<Position, WineRecord> shadowed = sendWinesToEveryPartition(0, 150);
        Map<Position, List<ServingResult>> results = awaitResultsFor(shadowed.keySet());
        assertThat(results.values()).allSatisfy(rs -> assertThat(rs).allSatisfy(r -> {
            assertThat(r.getModelVersion()).as("only the live model's results").isEqualTo("1");
            assertThat(r.getCandidate()).isFalse();
        }));
        Map<Position, ServingResult> candidate = awaitShadowFor(shadowed.keySet());
        long agreeing = 0;
        for (var e : candidate.entrySet()) {
            ServingResult c = e.getValue();
            assertThat(c.getCandidate()).isTrue();
            assertThat(c.getModelVersion()).isEqualTo("2");
            assertThat(c.getModelSha256()).isEqualTo(sha256(mlp));
            assertThat(c.getLabel()).isEqualTo(expected(mlp, shadowed.get(e.getKey())).label());
            agreeing += c.getLabel().equals(results.get(e.getKey()).get(0).getLabel()) ? 1 : 0;
        }
        long agreed = agreeing;
        awaitState(WINE, s -> {
            JsonNode comparison = s.path("lifecycle").path("candidate");
            assertThat(comparison.path("compared").asLong()).isEqualTo(shadowed.size());
            assertThat(comparison.path("labelAgreement").asDouble())
                    .isCloseTo((double) agreed / shadowed.size(), within(1e-9));
            assertThat(comparison.path("candidateErrors").asLong()).isZero();
            assertThat(comparison.path("liveP99Ms").isNumber()).isTrue();
            assertThat(comparison.path("candidateP99Ms").isNumber()).isTrue();
        });
        JsonNode inModels = models().path(WINE).path("candidate");
        assertThat(inModels.path("compared").asLong()).as("/models shows the comparison too").isEqualTo(shadowed.size());
        assertThat(inModels.path("agreed").asLong()).isEqualTo(agreed);

        // promotion by command, as `loader promote` publishes it
        publish(ModelsTopic.publishAgain(mlp, ModelDescriptor.LifecycleEvent.PROMOTED, "by the suite"));
        awaitServing(WINE, mlp);
        Map<Position, WineRecord> after = sendWinesToEveryPartition(150, 60);
        Map<Position, List<ServingResult>> all = awaitResultsFor(after.keySet());
        after.keySet().forEach(p -> assertThat(all.get(p)).allMatch(r -> r.getModelVersion().equals("2")));
        JsonNode liveFrom = models().path(WINE).path("liveFrom");
        for (int partition = 0; partition < TestKafka.DATA_PARTITIONS; partition++) {
            long from = liveFrom.path(String.valueOf(partition)).asLong(-1);
            assertThat(from).as("partition %d's first offset scored by v2", partition).isNotNegative();
            for (var e : all.entrySet()) {
                if (e.getKey().partition() == partition) {
                    String expectedVersion = e.getKey().offset() < from ? "1" : "2";
                    assertThat(e.getValue()).as("%s, v2 live from offset %d", e.getKey(), from)
                            .allMatch(r -> r.getModelVersion().equals(expectedVersion));
                }
            }
        }
        JsonNode lifecycle = state(WINE).path("lifecycle");
        assertThat(lifecycle.path("promotions").asLong()).isEqualTo(1);
        assertThat(lifecycle.path("candidate").isNull()).as("no candidate after its promotion").isTrue();
        assertThat(kinds(lifecycle)).containsSubsequence("candidate", "promoted");
    }

    @Test
    @WithServerSetting(key = "model-server.rollback-within-records", value = "100")
    void aCandidatePromotesItselfByItsRuleAndANewModelThatFailsIsRolledBackByItself() throws Exception {
        assumeTrue(servesTheModelLifecycle(), "this server does not serve the model lifecycle yet");
        ModelDescriptor v1 = ProjectModel.DECISION_TREE.descriptor("1");
        publishVersion(v1);
        awaitServing(WINE, v1);
        ModelDescriptor v2 = ProjectModel.DECISION_TREE.descriptor("2").toBuilder().setCandidate(true)
                .setPromotionRule(PromotionRule.newBuilder().setAfterRecords(60).setMinLabelAgreement(0.99)).build();
        publishVersion(v2);
        awaitState(WINE, s -> assertThat(s.path("lifecycle").path("candidate").isObject()).isTrue());
        // 70 records a partition: a rule counts the records compared by one registry (a Kafka Streams task's)
        Map<Position, WineRecord> sent = new LinkedHashMap<>(sendWinesToEveryPartition(0, 210));
        ModelDescriptor promoted = ModelsTopic.model(v2);
        awaitServing(WINE, promoted);
        awaitState(WINE, s -> assertThat(kinds(s.path("lifecycle"))).containsSubsequence("candidate",
                "promotion requested", "promoted"));

        // a version that loads but cannot score a wine: it names a measurement wine records do not have
        String pmml = new String(ProjectModel.LINEAR_REGRESSION.bytes(), StandardCharsets.UTF_8)
                .replace("\"alcohol\"", "\"colour\"");
        ModelDescriptor v3 = ProjectModel.LINEAR_REGRESSION.descriptor("3").toBuilder().setName("needs-colour")
                .setData(ByteString.copyFromUtf8(pmml)).build();
        publishVersion(v3);
        awaitServing(WINE, v3);
        Map<Position, WineRecord> failing = sendWinesToEveryPartition(210, 30);
        sent.putAll(failing);
        awaitServing(WINE, promoted);
        Map<Position, WineRecord> back = sendWinesToEveryPartition(240, 30);
        sent.putAll(back);

        // no record lost: each has a result, or a dead letter saying v3 could not score it
        Set<Position> deadLettered = new HashSet<>();
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            deadLettered.clear();
            for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.deadLetters())) {
                assertThat(header(m, "error")).contains("needs-colour");
                String source = header(m, "source");
                deadLettered.add(new Position(Integer.parseInt(source.substring(source.indexOf('[') + 1,
                        source.indexOf(']'))), Long.parseLong(source.substring(source.indexOf('@') + 1))));
            }
            Set<Position> scored = new HashSet<>();
            kafka.readAll(topics.results()).forEach(m -> {
                try {
                    ServingResult r = result(m);
                    scored.add(new Position(r.getSourcePartition(), r.getSourceOffset()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            scored.addAll(deadLettered);
            assertThat(scored).as(diagnostics()).containsAll(sent.keySet());
        });
        assertThat(deadLettered).as("v3 failed some records before its rollback").isNotEmpty();
        Map<Position, List<ServingResult>> results = awaitResultsFor(back.keySet());
        back.keySet().forEach(p -> assertThat(results.get(p)).allMatch(r -> r.getModelVersion().equals("2")));
        // in topic order: within each partition, v1, then v2, then v3 (which failed its records), then v2 again
        Map<Position, String> scoredBy = new HashMap<>();
        awaitResultsFor(sent.keySet().stream().filter(p -> !deadLettered.contains(p)).collect(Collectors.toSet()))
                .forEach((p, rs) -> scoredBy.put(p, rs.get(0).getModelVersion()));
        deadLettered.forEach(p -> scoredBy.put(p, "3"));
        assertInTopicOrder(scoredBy, List.of("1", "2", "3", "2"));
        JsonNode lifecycle = state(WINE).path("lifecycle");
        assertThat(lifecycle.path("automaticRollbacks").asLong()).isEqualTo(1);
        assertThat(lifecycle.path("rollbacks").asLong()).isEqualTo(1);
        assertThat(lifecycle.path("promotions").asLong()).isEqualTo(1);
        assertThat(kinds(lifecycle)).containsSubsequence("promoted", "live", "rollback requested", "rolled back");
        assertThat(lifecycle.path("events").findValuesAsText("detail"))
                .anyMatch(d -> d.startsWith("automatic: 'needs-colour' v3 failed"));
    }

    @Test
    void aRollbackByCommandARefusedLatestVersionAndACandidateSurviveCompactionAndARestart() throws Exception {
        assumeTrue(servesTheModelLifecycle(), "this server does not serve the model lifecycle yet");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            // small segments, cleaned at once: compaction happens within the case
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.models()),
                    List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG, "100"),
                                    AlterConfigOp.OpType.SET),
                            new AlterConfigOp(new ConfigEntry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"),
                                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        ModelDescriptor v1 = ProjectModel.LINEAR_REGRESSION.descriptor("1");
        ModelDescriptor v2 = ProjectModel.DECISION_TREE.descriptor("2");
        publishVersion(v1);
        awaitServing(WINE, v1);
        publishVersion(v2);
        awaitServing(WINE, v2);
        // a candidate published before the message its live model will come from: a restart brings it back all
        // the same
        ModelDescriptor v4 = ProjectModel.DECISION_TREE.descriptor("4").toBuilder().setCandidate(true).build();
        publishVersion(v4);
        awaitState(WINE, s -> assertThat(s.path("lifecycle").path("candidate").path("candidate").asText())
                .isEqualTo("'" + v4.getName() + "' v4"));
        // rollback by command, as `loader rollback --data-type wine` publishes it
        publish(ModelsTopic.publishAgain(v1, ModelDescriptor.LifecycleEvent.ROLLED_BACK, "by the suite"));
        awaitServing(WINE, v1);
        ModelDescriptor v3 = pmml("broken", "<PMML".getBytes(StandardCharsets.UTF_8)).toBuilder().setVersion("3")
                .build();
        publishVersion(v3);
        awaitState(WINE, s -> assertThat(s.path("lastLoadFailure").path("version").asText()).isEqualTo("3"));
        assertThat(models().path(WINE).path("model").path("version").asText()).isEqualTo("1");
        assertThat(models().path(WINE).path("candidate").path("candidate").asText()).as("the candidate stays")
                .isEqualTo("'" + v4.getName() + "' v4");

        server.stop();
        // compaction: the first v1 message goes, the one published again stays
        // each poll (500 ms apart, past segment.ms) sends a message that rolls the segment, which the cleaner may
        // then clean; until the topic shows it compacted
        waitUpTo(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            kafka.send(topics.models(), "roll/1", null);
            List<String> keys = kafka.readAll(topics.models()).stream().map(ConsumerRecord::key).toList();
            assertThat(keys).as("the models topic, compacted").startsWith("wine/2", "wine/4", "wine/1", "wine/3");
        });
        server = launcher().start(settings);
        starts++;

        awaitServing(WINE, v1);
        awaitState(WINE, s -> {
            JsonNode lifecycle = s.path("lifecycle");
            assertThat(lifecycle.path("candidate").path("candidate").asText()).as("the candidate, after the restart")
                    .isEqualTo("'" + v4.getName() + "' v4");
            assertThat(lifecycle.path("rollbacks").asLong()).isEqualTo(1);
            assertThat(kinds(lifecycle)).contains("rolled back", "refused");
        });
        Map<Position, WineRecord> sent = sendWines(WINE, 0, 20);
        Map<Position, List<ServingResult>> results = awaitResultsFor(sent.keySet());
        sent.forEach((p, r) -> assertThat(results.get(p)).allSatisfy(res -> {
            assertThat(res.getModelVersion()).isEqualTo("1");
            assertThat(res.getValue()).isCloseTo(expected(v1, r).value(), within(1e-9));
        }));
        assertThat(awaitShadowFor(sent.keySet()).values()).as("the candidate shadows the records after the restart")
                .allMatch(c -> c.getModelVersion().equals("4") && c.getCandidate());
    }

    /**
     * Within each partition, the models that scored its records (by offset) change only in the order they went live:
     * the runs of one version are a subsequence of {@code epochs}.
     */
    private static void assertInTopicOrder(Map<Position, String> scoredBy, List<String> epochs) {
        Map<Integer, List<Position>> byPartition = scoredBy.keySet().stream()
                .collect(Collectors.groupingBy(Position::partition));
        byPartition.forEach((partition, positions) -> {
            positions.sort(null);
            List<String> runs = new ArrayList<>();
            for (Position p : positions) {
                String v = scoredBy.get(p);
                if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(v)) {
                    runs.add(v);
                }
            }
            assertThat(epochs).as("partition %d's models, offset by offset: %s", partition, runs)
                    .containsSubsequence(runs);
        });
    }

    /** The kinds of a lifecycle's events, oldest first. */
    private static List<String> kinds(JsonNode lifecycle) {
        List<String> out = new ArrayList<>();
        lifecycle.path("events").forEach(e -> out.add(e.path("kind").asText()));
        return out;
    }

    /** Waits until every position has a candidate's result on the shadow topic; returns the last of each. */
    private Map<Position, ServingResult> awaitShadowFor(Set<Position> positions) {
        Map<Position, ServingResult> out = new HashMap<>();
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            out.clear();
            for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.shadow())) {
                ServingResult r = result(m);
                out.put(new Position(r.getSourcePartition(), r.getSourceOffset()), r);
            }
            assertThat(out.keySet()).as(diagnostics()).containsAll(positions);
        });
        return out;
    }

    /**
     * A wait for a condition: an assertion that does not hold yet, or a REST call that timed out or was refused (a
     * server busy loading TensorFlow or collecting garbage on a loaded machine), is tried again until the deadline.
     */
    private static ConditionFactory waitUpTo(Duration deadline) {
        return await().atMost(deadline).ignoreExceptionsInstanceOf(IOException.class);
    }

    // ---- the suite's vocabulary -------------------------------------------------------------------------------

    private Map<Position, WineRecord> sendWines(String dataType, int from, int count) throws Exception {
        Map<Position, WineRecord> sent = new LinkedHashMap<>();
        for (int i = from; i < from + count; i++) {
            WineRecord r = WINES.get(i % WINES.size()).toRecord(dataType);
            sent.put(kafka.send(topics.data(), null, r.toByteArray()), r);
        }
        return sent;
    }

    /**
     * Round-robin over the data partitions: Kafka's own partitioner keeps a few kilobytes of records on one
     * partition, which would leave an instance of a group without any.
     */
    private Map<Position, WineRecord> sendWinesToEveryPartition(int from, int count) throws Exception {
        Map<Position, WineRecord> sent = new LinkedHashMap<>();
        for (int i = from; i < from + count; i++) {
            WineRecord r = WINES.get(i % WINES.size()).toRecord(WINE);
            sent.put(kafka.send(topics.data(), i % TestKafka.DATA_PARTITIONS, r.toByteArray()), r);
        }
        return sent;
    }

    private void publish(ModelDescriptor d) throws Exception {
        kafka.send(topics.models(), d.getDataType(), d.toByteArray());
    }

    /** Publishes under the version's own key, {@code dataType/version}. */
    private void publishVersion(ModelDescriptor d) throws Exception {
        kafka.send(topics.models(), ModelsTopic.key(d), d.toByteArray());
    }

    private void publish(ModelsTopic.Message m) throws Exception {
        kafka.send(topics.models(), m.key(), m.value());
    }

    private static ModelDescriptor pmml(String name, byte[] bytes) {
        return ModelDescriptor.newBuilder().setName(name).setVersion("bad").setDataType(WINE)
                .setModeltype(ModelDescriptor.ModelType.PMML).setData(ByteString.copyFrom(bytes)).build();
    }

    /** What the model library itself says of this record with this model. */
    private Prediction expected(ModelDescriptor d, WineRecord r) {
        return expected(d, WineFeatures.of(r));
    }

    /** What the model library itself says of this record with this model. */
    private Prediction expected(ModelDescriptor d, Features r) {
        return libraryModel(d).score(r);
    }

    private static byte[] jsonRecord(String dataType, Map<String, Object> values) {
        return RecordEncoder.encode(RecordFormat.JSON, dataType, values);
    }

    private static byte[] featureRecord(String dataType, Map<String, Object> values) {
        return RecordEncoder.encode(RecordFormat.FEATURES, dataType, values);
    }

    /** The model library's own instance of this model. */
    private Model libraryModel(ModelDescriptor d) {
        return libraryModels.computeIfAbsent(d, descriptor -> {
            try {
                return new ModelFactory(LoadingPolicy.defaults().withWorkDir(settings.stateDir().resolve("library-work")))
                        .load(descriptor);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until every position has a result; returns them all (a record may be scored twice, never zero times). */
    private Map<Position, List<ServingResult>> awaitResultsFor(Set<Position> positions) {
        Map<Position, List<ServingResult>> results = new HashMap<>();
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            results.clear();
            for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.results())) {
                ServingResult r = result(m);
                assertThat(r.getSourceTopic()).isEqualTo(topics.data());
                results.computeIfAbsent(new Position(r.getSourcePartition(), r.getSourceOffset()),
                        p -> new ArrayList<>()).add(r);
            }
            assertThat(results.keySet()).as(diagnostics()).containsAll(positions);
        });
        return results;
    }

    private List<ConsumerRecord<String, byte[]>> awaitMessages(String topic, int count) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            out.clear();
            out.addAll(kafka.readAll(topic));
            assertThat(out).as(diagnostics()).hasSizeGreaterThanOrEqualTo(count);
        });
        return out;
    }

    private void awaitServing(String dataType, ModelDescriptor d) {
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode model = models().path(dataType).path("model");
            assertThat(model.path("name").asText()).as(diagnostics()).isEqualTo(d.getName());
            assertThat(model.path("version").asText()).isEqualTo(d.getVersion());
            assertThat(model.path("sha256").asText()).isEqualTo(sha256(d));
        });
    }

    /** The SHA-256 of a model's bytes: of its inline data, or as the descriptor of a by-reference model gives it. */
    private static String sha256(ModelDescriptor d) {
        return d.getData().isEmpty() ? d.getSha256() : ModelDigest.sha256(d.getData().toByteArray());
    }

    private void awaitState(String dataType, Consumer<JsonNode> assertion) {
        waitUpTo(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertion.accept(state(dataType)));
    }

    private JsonNode state(String dataType) throws Exception {
        return get("/state/" + dataType);
    }

    private JsonNode models() throws Exception {
        return get("/models");
    }

    private int status(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.base().resolve(path)).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode get(String path) throws Exception {
        return get(server, path);
    }

    private JsonNode get(ServerProcess target, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.base().resolve(path))
                .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private String diagnostics() {
        try {
            return "server (start " + starts + ", log " + logs + "):\n" + server.tail();
        } catch (Exception e) {
            return "server log unreadable: " + e;
        }
    }

    /** A result message in the format its content-type header names. */
    private static ServingResult result(ConsumerRecord<String, byte[]> m) throws Exception {
        return ResultFormat.decode(m.value(), header(m, RecordFormat.HEADER));
    }

    private static String header(ConsumerRecord<String, byte[]> m, String key) {
        var h = m.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The log file of the current test's server. */
    protected Path log() {
        return logs;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
