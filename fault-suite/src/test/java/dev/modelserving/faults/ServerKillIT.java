package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every server is killed (SIGKILL) in the middle of a backlog and started again: no record goes without a result. */
class ServerKillIT {

    private static final Path BROKER_JAR = Path.of("..", "broker", "target", "broker.jar");
    private static final int BACKLOG = 60_000;
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration DRAIN = Duration.ofMinutes(4);

    @Test
    void aServerKilledMidBacklogAndRestartedLeavesNoRecordWithoutAResult() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "faults", "kill-" + System.currentTimeMillis())
                .toAbsolutePath());
        ModelDescriptor tree = ProjectData.ProjectModel.DECISION_TREE.descriptor("1");
        List<WineRow> wines = ProjectData.wines();
        List<byte[]> backlog = new ArrayList<>(BACKLOG);
        for (int i = 0; i < BACKLOG; i++) {
            backlog.add(wines.get(i % wines.size()).toRecord(ProjectData.DATA_TYPE).toByteArray());
        }
        try (BrokerProcess broker = BrokerProcess.start(BROKER_JAR, work.resolve("kafka"));
                TestKafka kafka = new TestKafka(broker.bootstrapServers());
                Fleet fleet = new Fleet(broker.bootstrapServers(), "kill", work)) {
            fleet.createTopics(kafka);
            fleet.publish(kafka, tree);
            for (Fleet.Server s : fleet.servers()) {
                s.sent.addAll(kafka.sendRoundRobin(s.topics().data(), TestKafka.DATA_PARTITIONS, backlog));
            }
            Checks checks = new Checks(kafka);
            checks.onEvery(fleet, "killed mid-backlog and restarted", s -> {
                s.start();
                checks.resultsAtLeast(s, 2_000, START);
                s.kill();
                long before = kafka.written(s.topics().results());
                assertThat(before).as("%s: results when killed (a kill after the backlog proves nothing)", s.name())
                        .isLessThan(BACKLOG);
                s.start();
                checks.everyRecordScored(s, tree, DRAIN);
            });
            checks.assertNoProblems();
        }
    }
}
