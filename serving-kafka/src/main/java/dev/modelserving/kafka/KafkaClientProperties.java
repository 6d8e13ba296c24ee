package dev.modelserving.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Kafka client properties passed through to every client a program makes, as kcat does: a properties file
 * ({@code --kafka-config FILE}), then {@code -X key=value} pairs, which win. A secured cluster's
 * {@code security.protocol}, {@code ssl.*} and {@code sasl.*} settings go here. The loader's and the Akka server's
 * command lines read them with {@link #of}; the loader and the servers build each client's configuration from them
 * with {@link #forClient}.
 */
public final class KafkaClientProperties {

    private KafkaClientProperties() {}

    /**
     * The file's properties (none when {@code file} is null), then the pairs over them.
     *
     * @throws Unreadable when the file cannot be read or is not a properties file
     */
    public static Map<String, String> of(Path file, Map<String, String> pairs) {
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null) {
            Properties fromFile = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new Unreadable("cannot read --kafka-config " + file + ": " + why(e));
            }
            fromFile.stringPropertyNames().forEach(k -> all.put(k, fromFile.getProperty(k)));
        }
        all.putAll(pairs);
        return all;
    }

    private static String why(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * One client's configuration: its own settings, the passed properties over them, then what the passed ones
     * cannot change: the client's (de)serializers (its own keys ending in {@code serializer}) and the address.
     */
    public static Map<String, Object> forClient(Map<String, ?> own, Map<String, ?> passed, String bootstrap) {
        Map<String, Object> config = new HashMap<>(own);
        config.putAll(passed);
        own.forEach((key, value) -> {
            if (key.endsWith("serializer")) {
                config.put(key, value);
            }
        });
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return config;
    }

    /** The properties file could not be read: the message names it and says why. */
    public static final class Unreadable extends IllegalArgumentException {
        Unreadable(String message) {
            super(message);
        }
    }
}
