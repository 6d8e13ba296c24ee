package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelserving.data.ProjectData;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the fault cases ask of every server, checked on all of them at once: a server that fails a check is noted
 * with its log's tail and the others go on, so one run shows every server that does not hold.
 */
final class Checks {

    private static final String WINE = ProjectData.DATA_TYPE;

    private final TestKafka kafka;
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    Checks(TestKafka kafka) {
        this.kafka = kafka;
    }

    /** A check of one server that may fail with an assertion or time out. */
    @FunctionalInterface
    interface Check {
        void run(Fleet.Server server) throws Exception;
    }

    /** Runs the check on every server at once (each in a thread of its own); notes each one that fails. */
    void onEvery(Fleet fleet, String what, Check check) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(fleet.servers().size());
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (Fleet.Server s : fleet.servers()) {
                runs.add(pool.submit(() -> {
                    try {
                        check.run(s);
                    } catch (AssertionError | ConditionTimeoutException e) {
                        problems.add(what + ": " + e.getMessage() + "\n" + s.diagnostics());
                    } catch (Exception e) {
                        problems.add(what + ": " + e + "\n" + s.diagnostics());
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                try {
                    run.get();
                } catch (Exception e) {
                    problems.add(what + ": " + e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Fails with every problem noted. */
    void assertNoProblems() {
        assertThat(problems).as("servers that did not hold").isEmpty();
    }

    static ConditionFactory waitUpTo(Duration limit) {
        return await().atMost(limit).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(IOException.class);
    }

    void serving(Fleet.Server s, ModelDescriptor d, Duration limit) {
        waitUpTo(limit).untilAsserted(() -> assertThat(s.serving(d.getDataType()))
                .as(s.name() + " serves").isEqualTo(d.getName() + " v" + d.getVersion()));
    }

    void up(Fleet.Server s, Duration limit) {
        waitUpTo(limit).untilAsserted(() -> assertThat(s.health()).as(s.name() + " /q/health").isEqualTo(200));
    }

    /** Waits until the server has written at least {@code count} results (committed or not). */
    void resultsAtLeast(Fleet.Server s, long count, Duration limit) {
        waitUpTo(limit).untilAsserted(() -> assertThat(kafka.written(s.topics().results()))
                .as(s.name() + " results written").isGreaterThanOrEqualTo(count));
    }

    /**
     * Waits until every record the broker acknowledged to this server has a result by the model (Kafka Streams:
     * exactly one, read_committed; the others at least one), then checks that no record was skipped.
     */
    void everyRecordScored(Fleet.Server s, ModelDescriptor model, Duration limit) throws Exception {
        Set<Position> sent = new HashSet<>(s.sent); // not Set.copyOf: its probing crawls on sequential offsets
        waitUpTo(limit).untilAsserted(() -> {
            assertThat(kafka.written(s.topics().results())).as(s.name() + " results written")
                    .isGreaterThanOrEqualTo(sent.size());
            Map<Position, List<ServingResult>> results = s.results(kafka);
            Set<Position> missing = new TreeSet<>(sent);
            missing.removeAll(results.keySet());
            assertThat(missing).as("%s: %d of %d records without a result, e.g. %s", s.name(), missing.size(),
                    sent.size(), missing.stream().limit(5).toList()).isEmpty();
        });
        Map<Position, List<ServingResult>> results = s.results(kafka);
        results.values().forEach(rs -> assertThat(rs).allSatisfy(r -> assertThat(r.getModelName())
                .as(s.name()).isEqualTo(model.getName())));
        if (s.variant.exactlyOnce()) {
            List<Position> twice = results.entrySet().stream().filter(e -> e.getValue().size() > 1)
                    .map(Map.Entry::getKey).sorted().toList();
            assertThat(twice).as("%s: records with more than one committed result", s.name()).isEmpty();
        }
        assertThat(s.get("/state/" + WINE).path("skipped").asLong()).as(s.name() + " skipped").isZero();
    }
}
