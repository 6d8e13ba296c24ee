package dev.modelserving.kstreams;

import dev.modelserving.kafka.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The Kafka Streams server's own {@code model-server.*} settings, beside the ones every server shares
 * ({@code ServerSettings}, which also has the {@code max-message-bytes} its clients and changelogs use).
 */
@ConfigMapping(prefix = "model-server")
public interface KafkaStreamsSettings {

    /** Where the models live: memory, standard or custom (see the README). */
    @WithDefault("custom")
    String store();

    /**
     * The most records a task holds back to score in one call when their dataType's model scores batches faster
     * (TensorFlow); 1 scores every record on its own.
     */
    @WithDefault("256")
    int batchRecords();

    /** About the longest a held record waits for its batch to fill. */
    @WithDefault("5ms")
    @WithConverter(DurationConverter.class)
    Duration batchWait();

    /**
     * The most bytes of models-topic messages the {@code standard} and {@code custom} variants' global store keeps
     * (every instance holds it whole), at least {@code model-server.max-message-bytes}; past it, never the message
     * just taken, first what newer messages of their keys replace goes, then the oldest, those of dataTypes no task
     * on the instance has had a model for first.
     */
    @WithDefault("268435456")
    long publishedModelsMaxBytes();

    /** The host other instances reach this one's REST API at, for interactive queries. */
    @WithDefault("localhost")
    String advertisedHost();
}
