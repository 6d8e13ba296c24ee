package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.BrokerConfig;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.SaslPlainListener;
import dev.modelserving.broker.SelfSignedTls;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.ModelDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against a secured broker (a TLS listener with a certificate made for the test, a SASL/PLAIN
 * listener): over TLS with the client properties in a {@code --kafka-config} file, over SASL with {@code -X} pairs.
 * Credentials the broker refuses give one line that says so, and exit code 2.
 */
class SecuredKafkaTest {

    private static final String USER = "loader";
    private static final String PASSWORD = "loader-secret";

    @TempDir
    static Path dir;
    private static SelfSignedTls tls;
    private static SaslPlainListener sasl;
    private static EmbeddedKafkaBroker broker;
    private static Path tlsConfig;

    @BeforeAll
    static void startTheBroker() throws Exception {
        tls = SelfSignedTls.generate(dir.resolve("tls"));
        broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka"))
                .withTls(tls.listener(0)).withSaslPlain(new SaslPlainListener(0, USER, PASSWORD)));
        sasl = new SaslPlainListener(0, USER, PASSWORD);
        tlsConfig = Files.writeString(dir.resolve("tls.properties"), tls.clientProperties().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n")));
    }

    @AfterAll
    static void stopTheBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void publishModelRunAndReadOverTlsWithAKafkaConfigFile() throws Exception {
        Path tree = Files.write(dir.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        String[] tlsArgs = {"--bootstrap-servers", broker.sslBootstrapServers(), "--topic-prefix", "tls_",
            "--kafka-config", tlsConfig.toString()};

        Cli published = Cli.run(concat(List.of("publish-model", tree.toString(), "--model-version", "1"), tlsArgs));
        Cli ran = Cli.run(concat(List.of("run", "--rate", "max", "--count", "20", "--max-models", "1"), tlsArgs));
        Cli read = Cli.run(concat(List.of("read", "--topic", "tls_models", "--max", "2", "--idle", "20s"), tlsArgs));

        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).contains("published ").contains("tls_models[0]@0");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("done: 20 records sent");
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out().lines()).hasSize(2).allMatch(l -> l.startsWith("tls_models[0]@"));
        try (TestKafka kafka = new TestKafka(broker.sslBootstrapServers(), tls.clientProperties())) {
            assertThat(kafka.readAll("tls_data")).hasSize(20);
            assertThat(kafka.readAll("tls_models")).extracting(m -> ModelDescriptor.parseFrom(m.value()).getName())
                    .containsExactly("tree", ProjectModel.values()[0].modelName());
        }
    }

    @Test
    void publishModelRunAndReadOverSaslWithDashX() throws Exception {
        Path tree = Files.write(dir.resolve("tree-sasl.pmml"), ProjectModel.DECISION_TREE.bytes());
        List<String> saslArgs = new ArrayList<>(List.of("--bootstrap-servers", broker.saslBootstrapServers(),
                "--topic-prefix", "sasl_"));
        sasl.clientProperties().forEach((k, v) -> saslArgs.addAll(List.of("-X", k + "=" + v)));
        String[] args = saslArgs.toArray(String[]::new);

        Cli published = Cli.run(concat(List.of("publish-model", tree.toString()), args));
        Cli ran = Cli.run(concat(List.of("run", "--rate", "max", "--count", "20", "--max-models", "1"), args));
        Cli read = Cli.run(concat(List.of("read", "--topic", "sasl_data", "--max", "20", "--idle", "20s"), args));

        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("done: 20 records sent");
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out().lines()).hasSize(20).allMatch(l -> l.contains(" record dataType=wine "));
        try (TestKafka kafka = new TestKafka(broker.saslBootstrapServers(), sasl.clientProperties())) {
            assertThat(kafka.readAll("sasl_models")).hasSize(2);
        }
    }

    @Test
    void aWrongPasswordIsOneLineSayingSoAndExitCode2() throws Exception {
        Path tree = Files.write(dir.resolve("tree-wrong.pmml"), ProjectModel.DECISION_TREE.bytes());

        Cli cli = Cli.run("publish-model", tree.toString(), "--bootstrap-servers", broker.saslBootstrapServers(),
                "--topic-prefix", "wrong_", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN",
                "-X", "sasl.jaas.config=" + SaslPlainListener.clientJaasConfig(USER, "not-" + PASSWORD));

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.UNREACHABLE);
        assertThat(cli.err().strip()).startsWith("loader: Kafka at " + broker.saslBootstrapServers()
                + " refused this client: Authentication failed").contains("Invalid username or password")
                .contains("--kafka-config and -X").doesNotContain("\n").doesNotContain("not-" + PASSWORD);
        assertThat(cli.out()).doesNotContain("published");
        try (TestKafka kafka = new TestKafka(broker.bootstrapServers())) {
            assertThat(kafka.exists("wrong_models")).isFalse();
        }
    }

    @Test
    void tlsWithoutTheTruststoreIsRefusedWithTheHandshakeFailure() {
        Cli cli = Cli.run("read", "--bootstrap-servers", broker.sslBootstrapServers(), "--topic-prefix", "tls_",
                "-X", "security.protocol=SSL", "--max", "1");

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.UNREACHABLE);
        assertThat(cli.err().strip()).startsWith("loader: Kafka at " + broker.sslBootstrapServers()
                + " refused this client: SSL handshake failed");
    }

    private static String[] concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
