package dev.modelserving.loader;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Kafka client properties passed through to every client a command makes (admin, producer, consumer), as kcat does:
 * a properties file, then {@code -X key=value} pairs, which win. A secured cluster's {@code security.protocol},
 * {@code ssl.*} and {@code sasl.*} settings go here.
 */
final class KafkaOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (a Java properties file) for every client, e.g. security.protocol, ssl.*, sasl.*.")
    Path file;

    @Option(names = "-X", paramLabel = "KEY=VALUE", description = "A Kafka client property for every client; overrides --kafka-config.")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The file's properties, then the {@code -X} ones; a file that cannot be read is refused input. */
    Map<String, Object> clientProperties() {
        Map<String, Object> all = new LinkedHashMap<>();
        if (file != null) {
            Properties fromFile = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new BadKafkaConfig("cannot read --kafka-config " + file + ": " + e.getMessage());
            }
            fromFile.stringPropertyNames().forEach(k -> all.put(k, fromFile.getProperty(k)));
        }
        all.putAll(properties);
        return all;
    }

    /** The Kafka configuration file could not be read: said once, exit code {@link LoaderMain#BAD_INPUT}. */
    static final class BadKafkaConfig extends RuntimeException {
        BadKafkaConfig(String message) {
            super(message);
        }
    }
}
