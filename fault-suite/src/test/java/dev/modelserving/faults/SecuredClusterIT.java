package dev.modelserving.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelserving.broker.CommandRun;
import dev.modelserving.broker.SaslPlainListener;
import dev.modelserving.broker.SelfSignedTls;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.suite.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The servers on a secured cluster: one broker process with a TLS listener (a certificate made for this run) and a
 * SASL/PLAIN listener besides PLAINTEXT. The reactive server, the Kafka Streams server ({@code custom} store) and the
 * Akka server ({@code stage}) run twice side by side, each with topics and a group of its own: once with the TLS
 * listener's client properties, once with the SASL listener's ({@code -Dkafka.*} for the Quarkus servers, {@code -X}
 * for the Akka server). The packaged loader publishes the decision tree to each server's models topic
 * ({@code publish-model}), then wine records and the tree again ({@code run}), over TLS with {@code --kafka-config},
 * over SASL with {@code -X}. Every record, read back over the same listener, has a result by the tree (Kafka
 * Streams: exactly one, read_committed), and none was skipped. A client that does not trust the certificate is
 * refused: the TLS listener really speaks TLS.
 */
class SecuredClusterIT {

    private static final Path REPO = Path.of("..");
    private static final Path BROKER_JAR = REPO.resolve("broker/target/broker.jar");
    private static final Path LOADER_JAR = REPO.resolve("loader/target/loader.jar");
    private static final String[] SERVERS = {"reactive", "kstreams-custom", "akka-stage"};
    private static final int RECORDS = 300;
    /** The model's name: the file's name, as the loader names it. */
    private static final String TREE = "tree";
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration DRAIN = Duration.ofMinutes(2);
    private static final Duration LOADER = Duration.ofSeconds(90);

    private final Path work = Path.of("target", "secured", "run-" + System.currentTimeMillis()).toAbsolutePath();
    private BrokerProcess broker;

    @AfterEach
    void stopTheBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** One listener's side of the test: its address, the client properties, and how the loader is told them. */
    private record Listener(String name, String bootstrap, Map<String, String> client, List<String> loaderArgs) {}

    @Test
    void everyServerScoresOverTlsAndOverSasl() throws Exception {
        SelfSignedTls tls = SelfSignedTls.generate(work.resolve("tls"));
        SaslPlainListener sasl = new SaslPlainListener(0, "serving", UUID.randomUUID().toString());
        broker = BrokerProcess.start(BROKER_JAR, work.resolve("kafka"), 0, 0, tls.listener(0), sasl);

        Path tlsConfig = Files.writeString(work.resolve("tls.properties"), tls.clientProperties().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n")));
        List<String> dashX = new ArrayList<>();
        sasl.clientProperties().forEach((k, v) -> dashX.addAll(List.of("-X", k + "=" + v)));
        List<Listener> listeners = List.of(
                new Listener("TLS", broker.sslBootstrapServers(), tls.clientProperties(),
                        List.of("--kafka-config", tlsConfig.toString())),
                new Listener("SASL", broker.saslBootstrapServers(), sasl.clientProperties(), dashX));

        assertThatThrownBy(() -> clusterId(broker.sslBootstrapServers(), Map.of("security.protocol", "SSL")))
                .as("a client without the truststore").isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SslAuthenticationException.class);

        Path models = Files.createDirectories(work.resolve("models"));
        Path tree = Files.write(models.resolve(TREE + ".pmml"), ProjectModel.DECISION_TREE.bytes());
        Map<Listener, Fleet> fleets = new HashMap<>();
        List<Fleet> started = new ArrayList<>();
        try {
            for (Listener l : listeners) {
                Fleet fleet = new Fleet(Fleet.variants(SERVERS), l.bootstrap(), l.client(),
                        "secured-" + l.name(), work.resolve(l.name().toLowerCase(Locale.ROOT)), Map.of());
                fleets.put(l, fleet);
                started.add(fleet);
                for (Fleet.Server s : fleet.servers()) {
                    loader(l, s, "publish-model", tree.toString(), "--model-version", "1");
                }
                fleet.start();
            }
            for (Listener l : listeners) {
                Fleet fleet = fleets.get(l);
                try (TestKafka kafka = new TestKafka(l.bootstrap(), l.client())) {
                    Checks checks = new Checks(kafka);
                    ModelDescriptor first = ModelDescriptor.newBuilder().setName(TREE).setVersion("1")
                            .setDataType(ProjectData.DATA_TYPE).build();
                    checks.onEvery(fleet, l.name() + ": serves the tree", s -> checks.serving(s, first, START));
                    checks.assertNoProblems();
                    for (Fleet.Server s : fleet.servers()) {
                        CommandRun run = loader(l, s, "run", "--models", models.toString(), "--max-models", "1",
                                "--model-interval", "1h", "--rate", "max", "--count", String.valueOf(RECORDS));
                        assertThat(run.out()).as(s.name()).contains("done: " + RECORDS + " records sent");
                        kafka.readAll(s.topics().data())
                                .forEach(r -> s.sent.add(new Position(r.partition(), r.offset())));
                        assertThat(s.sent).as(s.name() + ": records on the data topic").hasSize(RECORDS);
                    }
                    checks.onEvery(fleet, l.name() + ": every record scored by the tree",
                            s -> checks.everyRecordScored(s, first, DRAIN));
                    checks.onEvery(fleet, l.name() + ": UP", s -> checks.up(s, Duration.ofSeconds(30)));
                    checks.assertNoProblems();
                }
            }
        } finally {
            for (Fleet fleet : started) {
                fleet.close();
            }
        }
    }

    /** Runs the packaged loader against the server's topics on this listener; it must succeed. */
    private static CommandRun loader(Listener l, Fleet.Server s, String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        String models = s.topics().models();
        String prefix = models.substring(0, models.length() - "models".length());
        all.addAll(List.of("--bootstrap-servers", l.bootstrap(), "--topic-prefix", prefix));
        all.addAll(l.loaderArgs());
        CommandRun run = CommandRun.javaJar(LOADER_JAR, LOADER, all.toArray(String[]::new));
        assertThat(run.exitCode()).as("loader %s for %s over %s: %s", command, s.name(), l.name(), run.err())
                .isZero();
        return run;
    }

    private static String clusterId(String bootstrap, Map<String, String> clientProperties) throws Exception {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(config)) {
            return admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS);
        }
    }
}
