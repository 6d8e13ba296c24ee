package dev.modelserving.loader;

import dev.modelserving.kafka.KafkaClientProperties;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Kafka client properties passed through to every client a command makes (admin, producer, consumer), as kcat does:
 * a properties file, then {@code -X key=value} pairs, which win (read by the shared {@link KafkaClientProperties},
 * as the Akka server reads its own). A secured cluster's {@code security.protocol}, {@code ssl.*} and {@code sasl.*}
 * settings go here.
 */
final class KafkaOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (a Java properties file) for every client, e.g. security.protocol, ssl.*, sasl.*.")
    Path file;

    @Option(names = "-X", paramLabel = "KEY=VALUE", description = "A Kafka client property for every client; overrides --kafka-config.")
    Map<String, String> properties = new LinkedHashMap<>();

    /**
     * The file's properties, then the {@code -X} ones; a file that cannot be read is refused input
     * ({@link KafkaClientProperties.Unreadable}, exit code {@link LoaderMain#BAD_INPUT}).
     */
    Map<String, String> clientProperties() {
        return KafkaClientProperties.of(file, properties);
    }
}
