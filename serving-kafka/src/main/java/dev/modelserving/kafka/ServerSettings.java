package dev.modelserving.kafka;

import dev.modelserving.model.LifecycleRules;
import dev.modelserving.model.LoadingPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code model-server.*} settings every server reads, defined once: their names, defaults and meaning. The
 * Quarkus servers get them from Quarkus' configuration; the Akka server through {@link #load(Map)}, from the same
 * sources (system properties, environment variables, {@code application.properties}).
 */
@ConfigMapping(prefix = "model-server")
public interface ServerSettings {

    /** The topics a server reads and writes. */
    TopicSettings topics();

    /** Models larger than this many bytes are refused before they are parsed. */
    @WithDefault("67108864")
    long maxModelBytes();

    /**
     * The largest models-topic message a server's Kafka clients fetch (and the Kafka Streams server writes to its
     * changelogs): a model of the default cap and its descriptor, {@link Topics#MAX_MESSAGE_BYTES}.
     */
    @WithDefault("68157440")
    long maxMessageBytes();

    /** Directories by-reference models may be read from; none: by-reference loading is off. */
    Optional<List<Path>> modelRoots();

    /**
     * How many dataTypes a registry serves at most (a model for one more is refused with the reason, unless a
     * dataType whose model was removed gives its place up).
     */
    @WithDefault("1000")
    int maxDataTypes();

    /** Where zipped SavedModels are unpacked while they load. */
    @WithDefault("${java.io.tmpdir}/model-serving-${user.name}")
    Path workDir();

    /**
     * A model whose load (reading, parsing, scoring the sample records) takes longer is refused with the reason; the
     * previous model serves on.
     */
    @WithDefault("60s")
    @WithConverter(DurationConverter.class)
    Duration modelLoadTimeout();

    /** At start-up, scoring waits at most this long for the models topic to be read to its end. */
    @WithDefault("60s")
    @WithConverter(DurationConverter.class)
    Duration modelsCatchUp();

    /** {@code model-server.data.*}: the data records. */
    DataSettings data();

    /** {@code model-server.results.*}: the results. */
    ResultsSettings results();

    /** {@code model-server.data.*}. */
    interface DataSettings {
        /**
         * The format of a data record without a {@value RecordFormat#HEADER} header: {@code wine},
         * {@code features} or {@code json}.
         */
        @WithDefault("wine")
        RecordFormat format();
    }

    /** {@code model-server.results.*}. */
    interface ResultsSettings {
        /** How results are written: {@code protobuf} ({@code ServingResult}) or {@code json}. */
        @WithDefault("protobuf")
        ResultFormat format();
    }

    /** {@code model-server.topics.*}. */
    interface TopicSettings {
        @WithDefault(Topics.DEFAULT_DATA)
        String data();

        @WithDefault(Topics.DEFAULT_MODELS)
        String models();

        @WithDefault(Topics.DEFAULT_RESULTS)
        String results();

        @WithName("dead-letters")
        @WithDefault(Topics.DEFAULT_DEAD_LETTERS)
        String deadLetters();

        @WithDefault(Topics.DEFAULT_SHADOW)
        String shadow();
    }

    /** The topic names as the Kafka edge uses them. */
    default Topics topicNames() {
        return new Topics(topics().data(), topics().models(), topics().results(), topics().deadLetters(),
                topics().shadow());
    }

    /**
     * A newly live model is watched for this many of its first records; if more than
     * {@link #rollbackErrorRate()} of them fail, the previous version is published again. 0 turns this off.
     */
    @WithDefault("1000")
    long rollbackWithinRecords();

    /** The share of a newly live model's first records that may fail before it is rolled back. */
    @WithDefault("0.05")
    double rollbackErrorRate();

    /**
     * At most this many records wait to be scored by candidate models; records beyond it are not shadowed (counted
     * as not compared), so a slow candidate never holds back the live results or fills memory.
     */
    @WithDefault("10000")
    int shadowQueueRecords();

    /** When a newly live model is rolled back by itself. */
    default LifecycleRules lifecycleRules() {
        return new LifecycleRules(rollbackWithinRecords(), rollbackErrorRate());
    }

    /** What models may be loaded, and from where. */
    default LoadingPolicy loadingPolicy() {
        return LoadingPolicy.defaults().withMaxModelBytes(maxModelBytes())
                .withModelRoots(modelRoots().orElse(List.of())).withWorkDir(workDir())
                .withLoadTimeout(modelLoadTimeout()).withMaxDataTypes(maxDataTypes());
    }

    /**
     * The settings outside Quarkus: {@code overrides} (a command line's options, highest), then system properties,
     * environment variables ({@code MODEL_SERVER_MAX_MODEL_BYTES}), {@code config/application.properties} in the
     * working directory and {@code application.properties} on the class path, then the defaults above.
     *
     * @throws IllegalArgumentException when a setting has a value of the wrong kind, naming it
     */
    static ServerSettings load(Map<String, String> overrides) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultSources().addDefaultInterceptors()
                .withMapping(ServerSettings.class)
                .withSources(new PropertiesConfigSource(overrides, "command line", 500));
        try {
            for (URL url : Collections.list(ServerSettings.class.getClassLoader()
                    .getResources("application.properties"))) {
                builder.withSources(new PropertiesConfigSource(url, 250));
            }
            Path local = Path.of("config", "application.properties");
            if (Files.isRegularFile(local)) {
                builder.withSources(new PropertiesConfigSource(local.toUri().toURL(), 260));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.properties", e);
        }
        SmallRyeConfig config = builder.build();
        return config.getConfigMapping(ServerSettings.class);
    }
}
