package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.kstreams.ServerFixture.Answer;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the application ({@code custom} store) on one broker: each lists both; a query for a partition
 * sent to the instance that does not hold it is answered by the one that does; when one instance is killed the
 * other takes its partitions and every record still gets exactly one committed result.
 */
class InteractiveQueriesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String WINE = ProjectData.DATA_TYPE;

    @TempDir
    Path tmp;
    private final List<Answer> unavailable = new ArrayList<>();

    @Test
    void twoInstancesListEachOtherForwardQueriesAndSurviveTheLossOfOne() throws Exception {
        try (ServerFixture kafka = new ServerFixture("iq", tmp)) {
            ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
            kafka.publish(tree);
            ServerProcess a = kafka.start("custom", "a");
            ServerProcess b = kafka.start("custom", "b");
            String aAddress = "127.0.0.1:" + a.base().getPort();
            String bAddress = "127.0.0.1:" + b.base().getPort();

            // Both list both, with every data partition held by one of them and each serving the model.
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (ServerProcess s : List.of(a, b)) {
                    JsonNode instances = ok(kafka.get(s, "/state/instances"));
                    assertThat(instances).hasSize(2);
                    List<String> addresses = new ArrayList<>();
                    TreeSet<Integer> partitions = new TreeSet<>();
                    for (JsonNode i : instances) {
                        addresses.add(i.path("host").asText() + ":" + i.path("port").asInt());
                        i.path("partitions").forEach(p -> partitions.add(p.asInt()));
                        assertThat(i.path("self").asBoolean()).isEqualTo(i.path("port").asInt() == s.base().getPort());
                    }
                    assertThat(addresses).containsExactlyInAnyOrder(aAddress, bAddress);
                    assertThat(partitions).containsExactly(0, 1, 2);
                    assertThat(ok(kafka.get(s, "/state/value")).path("models").path(WINE).path("name").asText())
                            .isEqualTo(tree.getName());
                }
            });

            // A partition's query sent to the instance that does not hold it: the owner answers, through it.
            Map<Integer, String> owners = owners(kafka, a);
            assertThat(new TreeSet<>(owners.values())).as("both hold partitions").containsExactlyInAnyOrder(aAddress, bAddress);
            for (Map.Entry<Integer, String> e : owners.entrySet()) {
                ServerProcess other = e.getValue().equals(aAddress) ? b : a;
                ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                    Answer r = kafka.get(other, "/state/value?partition=" + e.getKey());
                    JsonNode body = ok(r);
                    assertThat(r.header("X-Served-By")).isEqualTo(e.getValue());
                    assertThat(body.path("servedBy").get(0).asText()).isEqualTo(e.getValue());
                    assertThat(body.path("partitions").get(0).asInt()).isEqualTo(e.getKey());
                    assertThat(body.path("models").path(WINE).path("name").asText()).isEqualTo(tree.getName());
                });
            }
            assertThat(ok(kafka.get(a, "/state/value")).path("partitions")).hasSize(3);
            assertThat(kafka.get(a, "/state/value?partition=3").status()).isEqualTo(404);

            List<Position> before = kafka.sendWines(WINE, 0, 60);
            ServerFixture.waitUpTo(WAIT).untilAsserted(() -> assertThat(kafka.committedResults()).containsKeys(
                    before.toArray(Position[]::new)));

            // Kill b: a takes every partition, restores their models from the changelogs, and scores everything.
            b.kill();
            List<Position> after = kafka.sendWines(WINE, 60, 60);
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode instances = ok(kafka.get(a, "/state/instances"));
                assertThat(instances).hasSize(1);
                assertThat(instances.get(0).path("partitions")).hasSize(3);
            });
            ServerFixture.waitUpTo(WAIT).untilAsserted(() -> {
                Map<Position, Integer> results = kafka.committedResults();
                assertThat(results).containsKeys(before.toArray(Position[]::new))
                        .containsKeys(after.toArray(Position[]::new));
                assertThat(results.values()).as("results per input record").containsOnly(1);
            });
            assertThat(ok(kafka.get(a, "/state/" + WINE)).path("skipped").asLong()).isZero();
            assertThat(ok(kafka.get(a, "/q/health")).path("status").asText()).isEqualTo("UP");
            assertThat(kafka.text(a, "/q/metrics")).contains("modelserving_records_scored_total{dataType=\"wine\"}")
                    .contains("modelserving_scoring_latency_seconds_bucket").contains("modelserving_records_in_total");
            assertThat(unavailable).allSatisfy(r -> assertThat(r.header("Retry-After")).isEqualTo("1"));
        }
    }

    @Test
    void queriesAnswer503WithRetryAfterUntilTheStoresAreQueryable() throws Exception {
        try (ServerFixture kafka = new ServerFixture("iq-early", tmp, false)) {
            // Kafka Streams waits for its input topics: until they exist nothing is queryable.
            ServerProcess a = kafka.start("standard", "a");
            for (String path : List.of("/state/value", "/state/value?partition=0", "/state/instances")) {
                Answer r = kafka.get(a, path);
                assertThat(r.status()).as(path).isEqualTo(503);
                assertThat(r.header("Retry-After")).as(path).isEqualTo("1");
                assertThat(r.body().path("error").asText()).as(path).contains("try again");
            }

            kafka.createTopics();
            ServerFixture.waitUpTo(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(ok(kafka.get(a, "/state/value")).path("partitions")).hasSize(3));
            assertThat(unavailable).allSatisfy(r -> assertThat(r.header("Retry-After")).isEqualTo("1"));
        }
    }

    /** The body of a 200; a 503 is remembered (it must carry Retry-After) and fails this attempt. */
    private JsonNode ok(Answer r) {
        if (r.status() == 503) {
            unavailable.add(r);
        }
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return r.body();
    }

    private Map<Integer, String> owners(ServerFixture kafka, ServerProcess s) {
        Map<Integer, String> owners = new java.util.TreeMap<>();
        for (JsonNode i : ok(kafka.get(s, "/state/instances"))) {
            i.path("partitions").forEach(p -> owners.put(p.asInt(), i.path("host").asText() + ":"
                    + i.path("port").asInt()));
        }
        return owners;
    }
}
