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
                + " directory keeps the topics and their data.")
public final class KafkaBrokerMain implements Callable<Integer> {

    static final String READY = "Kafka broker ready at ";

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

    @Override
    public Integer call() throws Exception {
        BrokerConfig config = new BrokerConfig(host, port, controllerPort, dataDir.toAbsolutePath(), partitions, Map.of());
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
