package dev.modelserving.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with a TLS listener (a certificate made for the test) and a SASL/PLAIN listener besides PLAINTEXT: a
 * record sent on one listener is read on the others; a client that does not trust the certificate, or logs in with
 * the wrong password, is refused.
 */
class SecuredListenersTest {

    private static final String USER = "serving";
    private static final String PASSWORD = "serving-secret";

    @TempDir
    static Path dir;
    private static SelfSignedTls tls;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startTheBroker() {
        tls = SelfSignedTls.generate(dir.resolve("tls"));
        broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka"))
                .withTls(tls.listener(0)).withSaslPlain(new SaslPlainListener(0, USER, PASSWORD)));
    }

    @AfterAll
    static void stopTheBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aRecordSentOverTlsIsReadOverSaslAndPlaintext() throws Exception {
        Map<String, String> sasl = new SaslPlainListener(0, USER, PASSWORD).clientProperties();

        EmbeddedKafkaBrokerTest.produce(broker.sslBootstrapServers(), tls.clientProperties(), "secured", List.of("a"));

        assertThat(broker.sslBootstrapServers()).isNotEqualTo(broker.saslBootstrapServers())
                .isNotEqualTo(broker.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(EmbeddedKafkaBrokerTest.consume(broker.saslBootstrapServers(), sasl, "secured", 1))
                .containsExactly("a");
        assertThat(EmbeddedKafkaBrokerTest.consume(broker.sslBootstrapServers(), tls.clientProperties(), "secured", 1))
                .containsExactly("a");
        assertThat(EmbeddedKafkaBrokerTest.consume(broker.bootstrapServers(), "secured", 1)).containsExactly("a");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() {
        assertThatThrownBy(() -> clusterId(broker.sslBootstrapServers(), Map.of("security.protocol", "SSL")))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void aWrongPasswordIsRefused() {
        Map<String, String> wrong = new HashMap<>(new SaslPlainListener(0, USER, PASSWORD).clientProperties());
        wrong.put("sasl.jaas.config", SaslPlainListener.clientJaasConfig(USER, "not-" + PASSWORD));

        assertThatThrownBy(() -> clusterId(broker.saslBootstrapServers(), wrong))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Invalid username or password");
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
