package dev.modelserving.suite;

import dev.modelserving.kafka.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the suite asks of a server it starts; each server maps it onto its own configuration.
 *
 * @param bootstrapServers Kafka
 * @param topics the topics of this test case (a prefix of its own)
 * @param consumerGroup the group for the data topic, the same across restarts of one case
 * @param httpPort the REST port
 * @param stateDir a directory of this case for whatever the server keeps on disk
 * @param maxModelBytes the model size cap
 * @param logFile where the server's output goes
 * @param properties more {@code model-server.*} settings, as system properties of the server's JVM
 * @param kafkaProperties Kafka client properties for every client of the server (a secured cluster's
 *     {@code security.protocol}, {@code ssl.*}, {@code sasl.*}): {@code -Dkafka.KEY=VALUE} for the Quarkus servers,
 *     {@code -X KEY=VALUE} for the Akka server
 * @param javaOptions options for the server's JVM itself (the benchmark harness's {@code -Xmx512m}, say)
 */
public record ServerSettings(String bootstrapServers, Topics topics, String consumerGroup, int httpPort,
        Path stateDir, long maxModelBytes, Path logFile, Map<String, String> properties,
        Map<String, String> kafkaProperties, List<String> javaOptions) {

    public ServerSettings {
        properties = Map.copyOf(properties);
        kafkaProperties = Map.copyOf(kafkaProperties);
        javaOptions = List.copyOf(javaOptions);
    }

    public ServerSettings(String bootstrapServers, Topics topics, String consumerGroup, int httpPort, Path stateDir,
            long maxModelBytes, Path logFile, Map<String, String> properties, Map<String, String> kafkaProperties) {
        this(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile, properties,
                kafkaProperties, List.of());
    }

    public ServerSettings(String bootstrapServers, Topics topics, String consumerGroup, int httpPort, Path stateDir,
            long maxModelBytes, Path logFile, Map<String, String> properties) {
        this(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile, properties,
                Map.of());
    }

    public ServerSettings(String bootstrapServers, Topics topics, String consumerGroup, int httpPort, Path stateDir,
            long maxModelBytes, Path logFile) {
        this(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile, Map.of());
    }

    /** These settings with one more {@code model-server.*} setting. */
    public ServerSettings with(String key, String value) {
        Map<String, String> more = new TreeMap<>(properties);
        more.put(key, value);
        return new ServerSettings(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile,
                more, kafkaProperties, javaOptions);
    }

    /** These settings with these Kafka client properties (instead of the ones they had). */
    public ServerSettings withKafka(Map<String, String> clientProperties) {
        return new ServerSettings(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile,
                properties, clientProperties, javaOptions);
    }

    /** These settings with these options for the server's JVM (instead of the ones they had). */
    public ServerSettings withJavaOptions(List<String> options) {
        return new ServerSettings(bootstrapServers, topics, consumerGroup, httpPort, stateDir, maxModelBytes, logFile,
                properties, kafkaProperties, options);
    }

    /** The JVM's own options, then the extra settings as system properties. */
    List<String> jvmOptions() {
        List<String> all = new ArrayList<>(javaOptions);
        new TreeMap<>(properties).forEach((key, value) -> all.add("-D" + key + "=" + value));
        return all;
    }

    /** The Kafka client properties as the Quarkus servers take them: {@code -Dkafka.KEY=VALUE}. */
    List<String> kafkaJvmOptions() {
        return new TreeMap<>(kafkaProperties).entrySet().stream()
                .map(e -> "-Dkafka." + e.getKey() + "=" + e.getValue()).toList();
    }

    /** The Kafka client properties as the Akka server takes them: {@code -X KEY=VALUE} each. */
    List<String> kafkaArguments() {
        return new TreeMap<>(kafkaProperties).entrySet().stream()
                .flatMap(e -> List.of("-X", e.getKey() + "=" + e.getValue()).stream()).toList();
    }
}
