package dev.modelserving.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker (KRaft, combined broker and controller, one node) built from Kafka's own jars, bound to one
 * host on two ports: PLAINTEXT for clients and between broker and controller, and the controller's. On request it
 * opens a TLS listener ({@link TlsListener}) and a SASL/PLAIN one ({@link SaslPlainListener}) for clients too. The
 * data directory is formatted on first start; starting again on the same directory keeps the topics and their
 * data.
 *
 * <p>Kafka halts the JVM on fatal errors. Once a broker has been started here, such a halt (or exit) anywhere in the
 * JVM is caught and recorded instead ({@link #fatalError()}), so a test fails with the reason rather than a JVM
 * that vanishes.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final AtomicReference<String> FATAL = new AtomicReference<>();

    private final BrokerConfig config;
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(BrokerConfig config, int port, KafkaRaftServer server) {
        this.config = config;
        this.port = port;
        this.server = server;
    }

    /** Formats the data directory if it is new, starts the broker and returns once it accepts clients. */
    public static EmbeddedKafkaBroker start(BrokerConfig asked) {
        trapFatalExits();
        String host = asked.host();
        BrokerConfig config = asked;
        if (config.tls() != null && config.tls().port() == 0) {
            config = config.withTls(config.tls().onPort(freePort(host)));
        }
        if (config.saslPlain() != null && config.saslPlain().port() == 0) {
            config = config.withSaslPlain(config.saslPlain().onPort(freePort(host)));
        }
        int port = config.port() == 0 ? freePort(host) : config.port();
        int controllerPort = config.controllerPort() == 0 ? freePort(host) : config.controllerPort();
        Map<String, Object> props = properties(config, port, controllerPort);
        try {
            Path logs = Files.createDirectories(config.dataDir().resolve("logs"));
            KafkaConfig kafkaConfig = new KafkaConfig(props, false);
            formatIfNew(logs, kafkaConfig);
            KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            return new EmbeddedKafkaBroker(config, port, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's data directory " + config.dataDir(), e);
        } catch (Exception e) {
            throw new IllegalStateException("the Kafka broker did not start on " + config.host() + ":" + port
                    + " (data in " + config.dataDir() + "): " + e.getMessage(), e);
        }
    }

    /** host:port for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return config.host() + ":" + port;
    }

    public int port() {
        return port;
    }

    /** host:port of the TLS listener; only when the broker was started with one. */
    public String sslBootstrapServers() {
        if (config.tls() == null) {
            throw new IllegalStateException("this broker has no TLS listener: start it with BrokerConfig.withTls");
        }
        return config.host() + ":" + config.tls().port();
    }

    /** host:port of the SASL/PLAIN listener; only when the broker was started with one. */
    public String saslBootstrapServers() {
        if (config.saslPlain() == null) {
            throw new IllegalStateException("this broker has no SASL listener: start it with BrokerConfig.withSaslPlain");
        }
        return config.host() + ":" + config.saslPlain().port();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /** The reason Kafka tried to stop the JVM, if it did while a broker ran here. */
    public static Optional<String> fatalError() {
        return Optional.ofNullable(FATAL.get());
    }

    /** Forgets a recorded fatal error: for a test that provokes one on purpose. */
    static void clearFatalError() {
        FATAL.set(null);
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Map<String, Object> properties(BrokerConfig config, int port, int controllerPort) {
        String host = config.host();
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        // PLAINTEXT serves clients and the broker's own traffic; the TLS and SASL listeners only serve clients.
        List<String> listeners = new ArrayList<>(List.of("PLAINTEXT://" + host + ":" + port));
        List<String> protocols = new ArrayList<>(List.of("PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"));
        TlsListener tls = config.tls();
        if (tls != null) {
            listeners.add(TlsListener.NAME + "://" + host + ":" + tls.port());
            protocols.add(TlsListener.NAME + ":SSL");
            String prefix = "listener.name." + TlsListener.NAME.toLowerCase(Locale.ROOT) + ".";
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.location", tls.keystore().toString());
            p.put(prefix + "ssl.keystore.password", tls.keystorePassword());
            p.put(prefix + "ssl.key.password", tls.keystorePassword());
            if (tls.truststore() != null) {
                p.put(prefix + "ssl.truststore.type", "PKCS12");
                p.put(prefix + "ssl.truststore.location", tls.truststore().toString());
                p.put(prefix + "ssl.truststore.password", tls.truststorePassword());
            }
        }
        SaslPlainListener sasl = config.saslPlain();
        if (sasl != null) {
            listeners.add(SaslPlainListener.NAME + "://" + host + ":" + sasl.port());
            protocols.add(SaslPlainListener.NAME + ":SASL_PLAINTEXT");
            String prefix = "listener.name." + SaslPlainListener.NAME.toLowerCase(Locale.ROOT) + ".";
            p.put(prefix + "sasl.enabled.mechanisms", "PLAIN");
            p.put(prefix + "plain.sasl.jaas.config", sasl.brokerJaasConfig());
        }
        p.put("listeners", String.join(",", listeners) + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", String.join(",", listeners));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", String.join(",", protocols));
        p.put("log.dirs", config.dataDir().resolve("logs").toString());
        p.put("num.partitions", String.valueOf(config.defaultPartitions()));
        // One node: every internal topic has one replica, and few partitions so it is created fast.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.backoff.ms", "1000");
        p.putAll(config.overrides());
        return p;
    }

    private static void formatIfNew(Path logs, KafkaConfig config) throws Exception {
        if (Files.exists(logs.resolve("meta.properties"))) {
            return;
        }
        // Uuid.randomUuid() never starts with '-', which the storage tool would read as an option.
        String clusterId = Uuid.randomUuid().toString();
        new Formatter()
                .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                .setClusterId(clusterId)
                .setNodeId(config.nodeId())
                .setDirectories(List.of(logs.toString()))
                .setMetadataLogDirectory(logs.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setIgnoreFormatted(true)
                .run();
    }

    private static synchronized void trapFatalExits() {
        Exit.setHaltProcedure((status, message) -> {
            FATAL.compareAndSet(null, "Kafka halted with status " + status + ": " + message);
            throw new FatalBrokerError(FATAL.get());
        });
        Exit.setExitProcedure((status, message) -> {
            FATAL.compareAndSet(null, "Kafka exited with status " + status + ": " + message);
            throw new FatalBrokerError(FATAL.get());
        });
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    /** What Kafka's halt or exit turns into while an embedded broker runs. */
    public static final class FatalBrokerError extends Error {
        FatalBrokerError(String message) {
            super(message);
        }
    }
}
