package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.model.tensorflow.HostileGraphs;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Input no server can do anything right with, on every server at once: a poison pill, a model load that hangs. */
class BadInputIT {

    private static final Path BROKER_JAR = Path.of("..", "broker", "target", "broker.jar");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration DRAIN = Duration.ofMinutes(3);
    private static final int DEAD_LETTER_LIMIT = 64 * 1024;
    /** Long enough for a first load on a machine busy with six servers, short enough for a test. */
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);
    private static final ModelDescriptor TREE = ProjectData.ProjectModel.DECISION_TREE.descriptor("1");

    private Path work;
    private BrokerProcess broker;
    private TestKafka kafka;

    @BeforeEach
    void startTheBroker(TestInfo test) throws Exception {
        work = Files.createDirectories(Path.of("target", "faults",
                test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis()).toAbsolutePath());
        broker = BrokerProcess.start(BROKER_JAR, work.resolve("kafka"));
        kafka = new TestKafka(broker.bootstrapServers());
    }

    @AfterEach
    void stopTheBroker() throws Exception {
        kafka.close();
        broker.close();
    }

    @Test
    void aRecordWhoseDeadLetterKafkaWillNeverTakeIsCountedAndShownAndTheThousandBehindItAreScored()
            throws Exception {
        try (Fleet fleet = new Fleet(broker.bootstrapServers(), "pill", work)) {
            fleet.createTopics(kafka);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()))) {
                for (Fleet.Server s : fleet.servers()) {
                    admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, s.topics().deadLetters()),
                            List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                    String.valueOf(DEAD_LETTER_LIMIT)), AlterConfigOp.OpType.SET))))
                            .all().get(30, TimeUnit.SECONDS);
                }
            }
            fleet.start();
            fleet.publish(kafka, TREE);
            Checks checks = new Checks(kafka);
            checks.onEvery(fleet, "serves the model", s -> checks.serving(s, TREE, START));
            checks.assertNoProblems();

            // 512 KiB of 0xFF: not a WineRecord, so a dead letter, eight times what the dead-letter topic takes
            byte[] pill = new byte[512 * 1024];
            Arrays.fill(pill, (byte) 0xFF);
            List<WineRow> wines = ProjectData.wines();
            List<byte[]> good = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                good.add(wines.get(i % wines.size()).toRecord(ProjectData.DATA_TYPE).toByteArray());
            }
            for (Fleet.Server s : fleet.servers()) {
                Position p = kafka.send(s.topics().data(), 0, pill);
                s.pill = s.topics().data() + "[" + p.partition() + "]@" + p.offset();
                s.sent.addAll(kafka.sendRoundRobin(s.topics().data(), TestKafka.DATA_PARTITIONS, good));
            }

            checks.onEvery(fleet, "the thousand behind the pill scored", s -> checks.everyRecordScored(s, TREE, DRAIN));
            checks.onEvery(fleet, "the pill counted and shown", s -> {
                JsonNode undecodable = s.get("/dataTypes/" + Delivery.UNDECODABLE);
                assertThat(undecodable.path("undeliverable").asLong()).as(s.name()).isEqualTo(1);
                assertThat(undecodable.path("lastUndeliverable").path("source").asText()).as(s.name())
                        .isEqualTo(s.pill);
                assertThat(undecodable.path("lastUndeliverable").path("reason").asText()).as(s.name())
                        .contains("RecordTooLargeException");
                assertThat(s.text("/q/metrics")).as(s.name())
                        .containsPattern("(?m)^modelserving_records_undeliverable_total(\\{[^}]*})? 1\\.0$");
                assertThat(kafka.readAll(s.topics().deadLetters())).as(s.name() + ": dead letters").isEmpty();
                checks.up(s, Duration.ofSeconds(30));
            });
            checks.assertNoProblems();
        }
    }

    @Test
    void aModelLoadThatHangsIsRefusedAtItsDeadlineWhileThePreviousModelScoresEveryRecord() throws Exception {
        try (Fleet fleet = new Fleet(broker.bootstrapServers(), "hang", work,
                Map.of("model-server.model-load-timeout", LOAD_TIMEOUT.toSeconds() + "s"))) {
            fleet.createTopics(kafka);
            fleet.start();
            fleet.publish(kafka, TREE);
            Checks checks = new Checks(kafka);
            checks.onEvery(fleet, "serves the model", s -> checks.serving(s, TREE, START));
            checks.assertNoProblems();

            ModelDescriptor hang = ModelDescriptor.newBuilder().setName("endless-loop").setVersion("2")
                    .setDataType(ProjectData.DATA_TYPE).setModeltype(ModelDescriptor.ModelType.TENSORFLOW)
                    .setTfFormat(ModelDescriptor.TensorflowFormat.FROZEN_GRAPH)
                    .setData(ByteString.copyFrom(HostileGraphs.endlessLoop())).build();
            Flow flow = new Flow(broker.bootstrapServers(), fleet.servers(), 100);
            try {
                flow.start();
                checks.onEvery(fleet, "scores the flow", s -> checks.resultsAtLeast(s, 300, START));
                fleet.publish(kafka, hang);
                checks.onEvery(fleet, "scores on while the load hangs, refuses it at its deadline", s -> {
                    // 1,000 more results (10 s of the flow) before the load's deadline: scoring did not wait for it
                    long before = kafka.written(s.topics().results());
                    checks.resultsAtLeast(s, before + 1000, LOAD_TIMEOUT.minusSeconds(5));
                    Checks.waitUpTo(Duration.ofSeconds(90)).untilAsserted(() -> {
                        JsonNode wine = s.get("/dataTypes/" + ProjectData.DATA_TYPE);
                        assertThat(wine.path("lastLoadFailure").path("modelName").asText()).as(s.name())
                                .isEqualTo("endless-loop");
                        assertThat(wine.path("lastLoadFailure").path("reason").asText()).as(s.name())
                                .contains("did not finish within " + LOAD_TIMEOUT.toSeconds() + " s");
                    });
                    assertThat(s.serving(ProjectData.DATA_TYPE)).as(s.name()).isEqualTo(TREE.getName() + " v1");
                    long after = kafka.written(s.topics().results());
                    checks.resultsAtLeast(s, after + 300, Duration.ofSeconds(60));
                });
            } finally {
                flow.close();
            }
            assertThat(flow.failures()).isEmpty();
            checks.onEvery(fleet, "every record scored by the previous model",
                    s -> checks.everyRecordScored(s, TREE, DRAIN));
            checks.assertNoProblems();
        }
    }
}
