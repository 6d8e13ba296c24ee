package dev.modelserving.kstreams;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The Kafka Streams server's own {@code model-server.*} settings, beside the ones every server shares
 * ({@code ServerSettings}, which also has the {@code max-message-bytes} its clients and changelogs use).
 */
@ConfigMapping(prefix = "model-server")
public interface KafkaStreamsSettings {

    /** Where the models live: memory, standard or custom (see the README). */
    @WithDefault("custom")
    String store();

    /** The host other instances reach this one's REST API at, for interactive queries. */
    @WithDefault("localhost")
    String advertisedHost();
}
