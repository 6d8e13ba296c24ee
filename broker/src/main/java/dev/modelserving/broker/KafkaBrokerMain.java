package dev.modelserving.broker;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The broker as a process of its own: for the demo, for dev mode ({@code ./mvnw quarkus:dev} falls back to
 * localhost:9092) and for the Akka server, whose Scala 2.12 cannot share a class path with the broker's 2.13.
 * Prints one {@value #READY} line when clients can connect; stops cleanly on Ctrl-C or SIGTERM.
 */
@Command(name = "broker", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = "Runs a single-node Kafka broker (KRaft) until stopped. Restarting on the same data"
                + " directory keeps the topics and their data. --ssl-keystore adds a TLS listener, --sasl-user a"
                + " SASL/PLAIN one (without TLS: for tests and demos).")
public final class KafkaBrokerMain implements Callable<Integer> {

    static final String READY = "Kafka broker ready at ";
    /** Printed before {@value #READY} for each TLS or SASL listener: "Kafka broker listener SSL at host:port". */
    static final String LISTENER = "Kafka broker listener ";

    @Option(names = "--host", defaultValue = BrokerConfig.LOCALHOST, description = "Address to bind and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "9092", description = "Client port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", defaultValue = "target/kafka-data", description = "Data directory, kept across restarts (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "1", description = "Partitions of topics created implicitly (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--ssl-port", defaultValue = "0", description = "Port of the TLS listener (with --ssl-keystore), 0 for a free one (default: ${DEFAULT-VALUE}).")
    int sslPort;

    @Option(names = "--ssl-keystore", paramLabel = "FILE", description = "Opens a TLS listener (SSL) serving the key and certificate of this PKCS12 keystore.")
    Path sslKeystore;

    @Option(names = "--ssl-keystore-password", description = "The keystore's password (also the key's).")
    String sslKeystorePassword;

    @Option(names = "--ssl-truststore", paramLabel = "FILE", description = "PKCS12 truststore of the TLS listener (only used when clients present certificates).")
    Path sslTruststore;

    @Option(names = "--ssl-truststore-password", description = "The truststore's password.")
    String sslTruststorePassword;

    @Option(names = "--sasl-port", defaultValue = "0", description = "Port of the SASL listener (with --sasl-user), 0 for a free one (default: ${DEFAULT-VALUE}).")
    int saslPort;

    @Option(names = "--sasl-user", description = "Opens a SASL_PLAINTEXT listener (mechanism PLAIN) that accepts this one user.")
    String saslUser;

    @Option(names = "--sasl-password", description = "The SASL user's password.")
    String saslPassword;

    @Override
    public Integer call() throws Exception {
        BrokerConfig config = new BrokerConfig(host, port, controllerPort, dataDir.toAbsolutePath(), partitions, Map.of());
        try {
            if (sslKeystore != null) {
                config = config.withTls(new TlsListener(sslPort, sslKeystore.toAbsolutePath(), sslKeystorePassword,
                        sslTruststore == null ? null : sslTruststore.toAbsolutePath(), sslTruststorePassword));
            }
            if (saslUser != null) {
                config = config.withSaslPlain(new SaslPlainListener(saslPort, saslUser, saslPassword));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("broker: " + e.getMessage());
            return 2;
        }
        EmbeddedKafkaBroker broker;
        long start = System.nanoTime();
        try {
            broker = EmbeddedKafkaBroker.start(config);
        } catch (RuntimeException e) {
            System.err.println("broker: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        if (config.tls() != null) {
            System.out.println(LISTENER + TlsListener.NAME + " at " + broker.sslBootstrapServers());
        }
        if (config.saslPlain() != null) {
            System.out.println(LISTENER + SaslPlainListener.NAME + " at " + broker.saslBootstrapServers());
        }
        System.out.printf(Locale.ROOT, "%s%s (data in %s, started in %.1f s)%n", READY, broker.bootstrapServers(),
                config.dataDir(), (System.nanoTime() - start) / 1e9);
        System.out.flush();
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        // Kafka's broker upper-cases config values with the default locale: under a Turkish one it does not start.
        Locale.setDefault(Locale.ROOT);
        int code = new CommandLine(new KafkaBrokerMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
