package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The broker fails under every server at once: it is killed (SIGKILL) under load and comes back on the same data
 * directory and ports, or it is not there yet when the servers start. No server is restarted.
 */
class BrokerFaultsIT {

    private static final Path BROKER_JAR = Path.of("..", "broker", "target", "broker.jar");
    private static final int RECORDS_PER_SECOND = 300;
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration BACK_UP = Duration.ofSeconds(60);
    private static final Duration DRAIN = Duration.ofMinutes(3);

    private Path work;
    private Path brokerData;
    private int port;
    private int controllerPort;
    private BrokerProcess broker;

    @BeforeEach
    void ports(TestInfo test) throws Exception {
        work = Files.createDirectories(Path.of("target", "faults",
                test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis()).toAbsolutePath());
        brokerData = work.resolve("kafka");
        port = Fleet.freePort();
        controllerPort = Fleet.freePort();
    }

    @AfterEach
    void stopTheBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private String startTheBroker() throws Exception {
        broker = BrokerProcess.start(BROKER_JAR, brokerData, port, controllerPort);
        return broker.bootstrapServers();
    }

    @Test
    void aBrokerKilledUnderLoadFor30sAndThen150sCostsNoRecordAndNoRestart() throws Exception {
        String bootstrap = startTheBroker();
        ModelDescriptor tree = ProjectData.ProjectModel.DECISION_TREE.descriptor("1");
        try (TestKafka kafka = new TestKafka(bootstrap); Fleet fleet = new Fleet(bootstrap, "outage", work)) {
            Checks checks = new Checks(kafka);
            fleet.createTopics(kafka);
            fleet.start();
            fleet.publish(kafka, tree);
            checks.onEvery(fleet, "serves the model", s -> checks.serving(s, tree, START));
            checks.assertNoProblems();

            Flow flow = new Flow(bootstrap, fleet.servers(), RECORDS_PER_SECOND);
            try {
                flow.start();
                checks.onEvery(fleet, "scores the flow", s -> checks.resultsAtLeast(s, 1000, START));
                for (Duration outage : List.of(Duration.ofSeconds(30), Duration.ofSeconds(150))) {
                    long before = fleet.servers().stream().mapToLong(s -> s.sent.size()).max().orElseThrow();
                    broker.kill();
                    Thread.sleep(outage.toMillis()); // the outage itself, not a wait for a condition
                    startTheBroker();
                    checks.onEvery(fleet, "UP within " + BACK_UP + " of the broker's return after " + outage,
                            s -> checks.up(s, BACK_UP));
                    checks.onEvery(fleet, "scores again after " + outage,
                            s -> checks.resultsAtLeast(s, before + 1000, BACK_UP.plus(DRAIN)));
                }
            } finally {
                flow.close();
            }
            assertThat(flow.failures()).as("records the broker never took").isEmpty();
            checks.onEvery(fleet, "every record scored", s -> checks.everyRecordScored(s, tree, DRAIN));
            checks.assertNoProblems();
        }
    }

    @Test
    void serversStartedBeforeTheBrokerScoreItsBacklogByItsModel() throws Exception {
        String bootstrap = startTheBroker();
        ModelDescriptor tree = ProjectData.ProjectModel.DECISION_TREE.descriptor("1");
        Fleet fleet = new Fleet(bootstrap, "absent", work);
        try (TestKafka kafka = new TestKafka(bootstrap)) {
            fleet.createTopics(kafka);
            fleet.publish(kafka, tree);
            Flow backlog = new Flow(bootstrap, fleet.servers(), RECORDS_PER_SECOND);
            backlog.start();
            Checks.waitUpTo(START).until(() -> fleet.servers().stream().allMatch(s -> s.sent.size() >= 3000));
            backlog.close();
            assertThat(backlog.failures()).isEmpty();
        }
        broker.close();
        broker = null;

        try (fleet) {
            fleet.start(); // against no broker: each answers REST without one
            Thread.sleep(20_000); // the broker comes 20 s later, as the case says
            String again = startTheBroker();
            assertThat(again).isEqualTo(bootstrap);
            try (TestKafka kafka = new TestKafka(bootstrap)) {
                Checks checks = new Checks(kafka);
                checks.onEvery(fleet, "every backlog record scored by the model",
                        s -> checks.everyRecordScored(s, tree, DRAIN));
                checks.onEvery(fleet, "UP", s -> checks.up(s, BACK_UP));
                checks.assertNoProblems();
            }
        }
    }
}
