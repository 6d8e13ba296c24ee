package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.suite.BrokerProcess;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerProcess;
import dev.modelserving.suite.ServerSettings;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A graceful stop (SIGTERM) in the middle of a backlog drains the data stream: what was read is written and its
 * offset committed before the consumer closes, so the restarted server scores nothing twice and misses nothing.
 */
class GracefulStopIT {

    private static final int BACKLOG = 30_000;
    private static BrokerProcess broker;

    @BeforeAll
    static void startTheBroker() throws Exception {
        broker = BrokerProcess.start(Path.of("..", "broker", "target", "broker.jar"),
                Path.of("target", "broker-graceful-" + System.nanoTime()));
    }

    @AfterAll
    static void stopTheBroker() throws Exception {
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stage", "actor"})
    void aStopMidBacklogScoresNothingTwiceAfterTheRestart(String processor) throws Exception {
        Topics topics = Topics.withPrefix("graceful-" + processor + "_");
        Path state = Files.createDirectories(Path.of("target", "graceful-" + processor + "-" + System.nanoTime())
                .toAbsolutePath());
        ServerSettings settings = new ServerSettings(broker.bootstrapServers(), topics, "graceful-" + processor,
                freePort(), state, 256 * 1024, state.resolve("server.log"));
        ModelDescriptor tree = ProjectData.ProjectModel.DECISION_TREE.descriptor("1");
        List<WineRow> wines = ProjectData.wines();
        List<byte[]> backlog = new ArrayList<>(BACKLOG);
        for (int i = 0; i < BACKLOG; i++) {
            backlog.add(wines.get(i % wines.size()).toRecord(ProjectData.DATA_TYPE).toByteArray());
        }
        try (TestKafka kafka = new TestKafka(broker.bootstrapServers())) {
            kafka.createTopics(topics);
            kafka.send(topics.models(), tree.getDataType(), tree.toByteArray());
            Set<Position> sent = new HashSet<>(kafka.sendRoundRobin(topics.data(), TestKafka.DATA_PARTITIONS, backlog));

            ServerProcess server = KnownServers.akka(Path.of("."), processor).start(settings);
            await().atMost(Duration.ofMinutes(2)).until(() -> kafka.written(topics.results()) >= 2_000);
            server.stop();
            long atStop = kafka.written(topics.results());
            assertThat(atStop).as("results when stopped (a stop after the backlog proves nothing)")
                    .isLessThan(BACKLOG);

            try (ServerProcess again = KnownServers.akka(Path.of("."), processor).start(settings)) {
                await().atMost(Duration.ofMinutes(3)).until(() -> kafka.written(topics.results()) >= BACKLOG);
                Map<Position, Integer> results = new HashMap<>();
                for (ConsumerRecord<String, byte[]> m : kafka.readAll(topics.results())) {
                    ServingResult r = ServingResult.parseFrom(m.value());
                    results.merge(new Position(r.getSourcePartition(), r.getSourceOffset()), 1, Integer::sum);
                }
                assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(sent);
                assertThat(results.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                        .sorted().limit(5).toList()).as("records scored twice across the stop").isEmpty();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
