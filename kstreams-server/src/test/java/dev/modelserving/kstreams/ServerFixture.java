package dev.modelserving.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.broker.SharedBroker;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerProcess;
import dev.modelserving.suite.ServerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Packaged Kafka Streams servers against the in-process broker, for the tests that need several of them or kill
 * them: topics of the test's own, a producer, HTTP, and results counted per input position.
 */
final class ServerFixture implements AutoCloseable {

    private static final List<WineRow> WINES = ProjectData.wines();

    final String bootstrap = SharedBroker.get().bootstrapServers();
    final Topics topics;
    private final String group;
    private final Path dir;
    private final TestKafka kafka;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<ServerProcess> started = new ArrayList<>();

    /** An HTTP answer. */
    record Answer(int status, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    ServerFixture(String name, Path dir) throws Exception {
        this(name, dir, true);
    }

    ServerFixture(String name, Path dir, boolean createTopics) throws Exception {
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8) + "_";
        this.topics = Topics.withPrefix(prefix);
        this.group = prefix + "app";
        this.dir = dir;
        this.kafka = new TestKafka(bootstrap);
        if (createTopics) {
            createTopics();
        }
    }

    void createTopics() throws Exception {
        kafka.createTopics(topics);
    }

    /** Starts an instance of the application (the test's group) with its own port and state directory. */
    ServerProcess start(String store, String instance) throws Exception {
        return start(store, instance, Map.of());
    }

    /** {@link #start(String, String)} with these {@code model-server.*} settings. */
    ServerProcess start(String store, String instance, Map<String, String> settings) throws Exception {
        Path state = Files.createDirectories(dir.resolve(instance));
        ServerSettings s = new ServerSettings(bootstrap, topics, group, freePort(), state, 256 * 1024,
                Path.of("target", "it-logs", group + "-" + instance + ".log").toAbsolutePath(), settings);
        ServerProcess p = KnownServers.kstreams(Path.of("."), store).start(s);
        started.add(p);
        return p;
    }

    void publish(ModelDescriptor d) throws Exception {
        kafka.send(topics.models(), d.getDataType(), d.toByteArray());
    }

    /** Sends wines round-robin over the data partitions; their positions, in order. */
    List<Position> sendWines(String dataType, int from, int count) throws Exception {
        List<byte[]> values = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            values.add(WINES.get(i % WINES.size()).toRecord(dataType).toByteArray());
        }
        return kafka.sendRoundRobin(topics.data(), TestKafka.DATA_PARTITIONS, values);
    }

    /** The sum of the data topic's offsets the application has committed. */
    long dataCommitted() throws Exception {
        return kafka.committed(group, topics.data());
    }

    /** Results written to the results topic, committed or not (cheap to ask). */
    long resultsWritten() throws Exception {
        return kafka.written(topics.results());
    }

    /** How many results each input position has on the results topic, read committed. */
    Map<Position, Integer> committedResults() throws Exception {
        Map<Position, Integer> counts = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> m : kafka.readCommitted(topics.results())) {
            ServingResult r = ServingResult.parseFrom(m.value());
            counts.merge(new Position(r.getSourcePartition(), r.getSourceOffset()), 1, Integer::sum);
        }
        return counts;
    }

    Answer get(ServerProcess server, String path) {
        return get(server.base().resolve(path));
    }

    /** The body of a GET as text (e.g. Prometheus metrics). */
    String text(ServerProcess server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.base().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    Answer get(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().map(), r.body().isEmpty() ? null : json.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (ServerProcess p : started) {
            p.close();
        }
        kafka.close();
    }

    /**
     * A wait for a condition: an assertion that does not hold yet, or a REST call that timed out or was refused (a
     * server still starting, or busy on a loaded machine), is tried again until the deadline.
     */
    static ConditionFactory waitUpTo(Duration deadline) {
        return Awaitility.await().atMost(deadline)
                .ignoreExceptionsMatching(e -> e instanceof IOException || e instanceof UncheckedIOException);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
