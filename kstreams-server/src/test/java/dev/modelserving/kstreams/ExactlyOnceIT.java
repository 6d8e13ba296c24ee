package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * exactly_once_v2 across a crash: the server is killed (SIGKILL) while it works through a backlog, restarted, and
 * the results topic read committed holds exactly one result per input record. The model is the TensorFlow MLP
 * (about 0.15 ms a record) so that the backlog takes seconds and the kill lands in the middle of it.
 */
class ExactlyOnceIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int RECORDS = 40_000;

    @TempDir
    Path tmp;

    @Test
    void aCrashMidBatchLeavesExactlyOneCommittedResultPerRecord() throws Exception {
        try (ServerFixture kafka = new ServerFixture("eos", tmp)) {
            ModelDescriptor tree = ProjectModel.MLP_FROZEN_GRAPH.descriptor("1");
            kafka.publish(tree);
            ServerProcess server = kafka.start("custom", "a");
            ServerFixture.waitUpTo(WAIT).untilAsserted(() -> assertThat(kafka.get(server, "/models").body()
                    .path(ProjectData.DATA_TYPE).path("model").path("name").asText()).isEqualTo(tree.getName()));
            List<Position> sent = kafka.sendWines(ProjectData.DATA_TYPE, 0, RECORDS);

            // Kill it once it has published part of the backlog: some transactions are committed, one is open.
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> kafka.resultsWritten() >= RECORDS / 10);
            server.kill();
            int beforeRestart = kafka.committedResults().size();
            assertThat(beforeRestart).as("committed before the crash").isLessThan(RECORDS);

            kafka.start("custom", "a");
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<Position, Integer> results = kafka.committedResults();
                assertThat(results).containsKeys(sent.toArray(Position[]::new));
                assertThat(results.values()).as("results per input record").containsOnly(1);
            });
            assertThat(kafka.committedResults()).hasSize(RECORDS);
        }
    }

    /**
     * Records held back for a TensorFlow batch are in the task's store when their offsets are committed: a server
     * killed then, before it scored them, leaves them to the next instance, which scores each once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "standard", "custom"})
    void recordsHeldForABatchWhenTheServerIsKilledAreScoredOnceAfterTheRestart(String store) throws Exception {
        int records = 300;
        try (ServerFixture kafka = new ServerFixture("held-" + store, tmp)) {
            ModelDescriptor mlp = ProjectModel.MLP_FROZEN_GRAPH.descriptor("1");
            kafka.publish(mlp);
            ServerProcess server = kafka.start(store, "a",
                    Map.of("model-server.batch-records", "10000", "model-server.batch-wait", "1h"));
            ServerFixture.waitUpTo(WAIT).untilAsserted(() -> assertThat(kafka.get(server, "/models").body()
                    .path(ProjectData.DATA_TYPE).path("model").path("name").asText()).isEqualTo(mlp.getName()));
            List<Position> sent = kafka.sendWines(ProjectData.DATA_TYPE, 0, records);

            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> kafka.dataCommitted() == records);
            assertThat(kafka.resultsWritten()).as("results before the batch is full or due").isZero();
            server.kill();

            kafka.start(store, "a");
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<Position, Integer> results = kafka.committedResults();
                assertThat(results).containsOnlyKeys(sent.toArray(Position[]::new));
                assertThat(results.values()).as("results per input record").containsOnly(1);
            });
        }
    }
}
