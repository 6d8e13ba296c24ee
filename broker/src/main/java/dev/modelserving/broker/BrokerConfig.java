package dev.modelserving.broker;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where and how an {@link EmbeddedKafkaBroker} runs.
 *
 * @param host the address to bind and advertise (127.0.0.1 unless told otherwise)
 * @param port the client port, 0 for a free one
 * @param controllerPort the KRaft controller port, 0 for a free one
 * @param dataDir the broker's data; kept across restarts
 * @param defaultPartitions partitions of topics created implicitly
 * @param overrides further broker properties
 */
public record BrokerConfig(String host, int port, int controllerPort, Path dataDir, int defaultPartitions,
        Map<String, String> overrides) {

    public static final String LOCALHOST = "127.0.0.1";

    public BrokerConfig {
        overrides = Map.copyOf(overrides);
    }

    /** 127.0.0.1 on free ports, one partition by default. */
    public static BrokerConfig onFreePorts(Path dataDir) {
        return new BrokerConfig(LOCALHOST, 0, 0, dataDir, 1, Map.of());
    }
}
