package dev.modelserving.broker;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where and how an {@link EmbeddedKafkaBroker} runs.
 *
 * @param host the address to bind and advertise (127.0.0.1 unless told otherwise)
 * @param port the client port (PLAINTEXT), 0 for a free one
 * @param controllerPort the KRaft controller port, 0 for a free one
 * @param dataDir the broker's data; kept across restarts
 * @param defaultPartitions partitions of topics created implicitly
 * @param overrides further broker properties
 * @param tls a TLS listener (SSL) besides the PLAINTEXT one, or null for none
 * @param saslPlain a SASL_PLAINTEXT listener (mechanism PLAIN) besides the PLAINTEXT one, or null for none
 */
public record BrokerConfig(String host, int port, int controllerPort, Path dataDir, int defaultPartitions,
        Map<String, String> overrides, TlsListener tls, SaslPlainListener saslPlain) {

    public static final String LOCALHOST = "127.0.0.1";

    public BrokerConfig {
        overrides = Map.copyOf(overrides);
    }

    /** Only the PLAINTEXT listener. */
    public BrokerConfig(String host, int port, int controllerPort, Path dataDir, int defaultPartitions,
            Map<String, String> overrides) {
        this(host, port, controllerPort, dataDir, defaultPartitions, overrides, null, null);
    }

    /** 127.0.0.1 on free ports, one partition by default. */
    public static BrokerConfig onFreePorts(Path dataDir) {
        return new BrokerConfig(LOCALHOST, 0, 0, dataDir, 1, Map.of());
    }

    /** This configuration with a TLS listener too. */
    public BrokerConfig withTls(TlsListener listener) {
        return new BrokerConfig(host, port, controllerPort, dataDir, defaultPartitions, overrides, listener, saslPlain);
    }

    /** This configuration with a SASL/PLAIN listener too. */
    public BrokerConfig withSaslPlain(SaslPlainListener listener) {
        return new BrokerConfig(host, port, controllerPort, dataDir, defaultPartitions, overrides, tls, listener);
    }
}
