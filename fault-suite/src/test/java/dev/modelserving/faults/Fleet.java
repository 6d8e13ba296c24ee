package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.data.ProjectData;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerLauncher;
import dev.modelserving.suite.ServerProcess;
import dev.modelserving.suite.ServerSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Every server and variant, side by side against one broker, each with topics, a consumer group and a state
 * directory of its own, started from its packaged artifact. {@code -Dfaults.servers=reactive,akka-stage} picks some.
 */
final class Fleet implements AutoCloseable {

    private static final Path REPO = Path.of("..");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A server variant: how to start it and what its results promise. */
    record Variant(String name, ServerLauncher launcher, boolean exactlyOnce) {}

    static List<Variant> variants() {
        List<Variant> all = all();
        String chosen = System.getProperty("faults.servers", "").trim();
        if (chosen.isEmpty()) {
            return all;
        }
        Set<String> names = Arrays.stream(chosen.split(",")).map(String::trim).collect(Collectors.toSet());
        return all.stream().filter(v -> names.contains(v.name())).toList();
    }

    /** These variants, by name, in this order. */
    static List<Variant> variants(String... names) {
        Map<String, Variant> byName = all().stream().collect(Collectors.toMap(Variant::name, v -> v));
        return Arrays.stream(names).map(n -> {
            Variant v = byName.get(n);
            if (v == null) {
                throw new IllegalArgumentException("no server variant " + n + " (there are " + byName.keySet() + ")");
            }
            return v;
        }).toList();
    }

    private static List<Variant> all() {
        return List.of(
                new Variant("reactive", KnownServers.reactive(REPO.resolve("reactive-server")), false),
                new Variant("kstreams-memory", KnownServers.kstreams(REPO.resolve("kstreams-server"), "memory"), true),
                new Variant("kstreams-standard", KnownServers.kstreams(REPO.resolve("kstreams-server"), "standard"),
                        true),
                new Variant("kstreams-custom", KnownServers.kstreams(REPO.resolve("kstreams-server"), "custom"), true),
                new Variant("akka-stage", KnownServers.akka(REPO.resolve("akka-server"), "stage"), false),
                new Variant("akka-actor", KnownServers.akka(REPO.resolve("akka-server"), "actor"), false));
    }

    /** One server of the fleet: its settings, its process (while it runs) and the records sent to it. */
    static final class Server {
        final Variant variant;
        final ServerSettings settings;
        final Set<Position> sent = ConcurrentHashMap.newKeySet();
        ServerProcess process;
        /** Where a case's poison pill went ({@code topic[p]@o}), if it sent one. */
        volatile String pill;

        Server(Variant variant, ServerSettings settings) {
            this.variant = variant;
            this.settings = settings;
        }

        String name() {
            return variant.name();
        }

        Topics topics() {
            return settings.topics();
        }

        /** Starts the server; returns once its REST API answers. */
        void start() throws Exception {
            process = variant.launcher().start(settings);
        }

        void kill() throws Exception {
            process.kill();
        }

        /** The HTTP status of {@code /q/health} (200: UP), or -1 when the server does not answer. */
        int health() {
            try {
                return HTTP.send(HttpRequest.newBuilder(process.base().resolve("/q/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** The text of a GET (Prometheus metrics). */
        String text(String path) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(process.base().resolve(path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: GET %s", name(), path).isEqualTo(200);
            return r.body();
        }

        JsonNode get(String path) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(process.base().resolve(path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: GET %s: %s", name(), path, r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        /** The name and version of the model serving the dataType, "" when none. */
        String serving(String dataType) throws Exception {
            JsonNode model = get("/models").path(dataType).path("model");
            return model.isMissingNode() ? "" : model.path("name").asText() + " v" + model.path("version").asText();
        }

        /**
         * Results by the position of their record: every result on the results topic (Kafka Streams servers: only
         * committed ones).
         */
        Map<Position, List<ServingResult>> results(TestKafka kafka) throws Exception {
            List<ConsumerRecord<String, byte[]>> messages = variant.exactlyOnce()
                    ? kafka.readCommitted(topics().results()) : kafka.readAll(topics().results());
            Map<Position, List<ServingResult>> out = new HashMap<>();
            for (ConsumerRecord<String, byte[]> m : messages) {
                ServingResult r = ServingResult.parseFrom(m.value());
                out.computeIfAbsent(new Position(r.getSourcePartition(), r.getSourceOffset()),
                        p -> new ArrayList<>()).add(r);
            }
            return out;
        }

        String diagnostics() {
            try {
                return name() + " (log " + settings.logFile() + "):\n" + process.tail();
            } catch (IOException e) {
                return name() + ": log unreadable: " + e;
            }
        }
    }

    private final List<Server> servers = new ArrayList<>();

    /**
     * The fleet's servers against this broker address, not started yet; each gets topics of its own (named after
     * the case, not created), a free port and a state directory under {@code workDir}.
     */
    Fleet(String bootstrap, String caseName, Path workDir) throws Exception {
        this(bootstrap, caseName, workDir, Map.of());
    }

    /** The same, each server with these {@code model-server.*} settings too. */
    Fleet(String bootstrap, String caseName, Path workDir, Map<String, String> settings) throws Exception {
        this(variants(), bootstrap, Map.of(), caseName, workDir, settings);
    }

    /**
     * These variants against this broker address, each with these Kafka client properties for every client it
     * makes (a secured listener's) and these {@code model-server.*} settings.
     */
    Fleet(List<Variant> variants, String bootstrap, Map<String, String> kafkaProperties, String caseName,
            Path workDir, Map<String, String> settings) throws Exception {
        for (Variant v : variants) {
            String prefix = caseName.toLowerCase(Locale.ROOT) + "-" + v.name() + "_";
            Path state = Files.createDirectories(workDir.resolve(v.name()));
            servers.add(new Server(v, new ServerSettings(bootstrap, Topics.withPrefix(prefix), prefix + "group",
                    freePort(), state.toAbsolutePath(), 256 * 1024,
                    workDir.resolve(v.name() + ".log").toAbsolutePath(), settings, kafkaProperties)));
        }
    }

    /** Creates every server's topics. */
    void createTopics(TestKafka kafka) throws Exception {
        for (Server s : servers) {
            kafka.createTopics(s.topics());
        }
    }

    List<Server> servers() {
        return servers;
    }

    /** Starts every server, one after the other (each waits for its REST API). */
    void start() throws Exception {
        for (Server s : servers) {
            s.start();
        }
    }

    /** Publishes a model to every server's models topic. */
    void publish(TestKafka kafka, ModelDescriptor d) throws Exception {
        for (Server s : servers) {
            kafka.send(s.topics().models(), d.getDataType(), d.toByteArray());
        }
    }

    static ModelDescriptor tree() {
        return ProjectData.ProjectModel.DECISION_TREE.descriptor("1");
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Server s : servers) {
            try {
                if (s.process != null) {
                    s.process.close();
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
