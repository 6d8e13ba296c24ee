package dev.modelserving.akka;

import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.LifecycleRules;
import dev.modelserving.model.LoadingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the server is told on its command line.
 *
 * @param kafkaProperties Kafka client properties for every client ({@code --kafka-config}, {@code -X}), over the
 *     server's own settings of each client
 */
record ServerConfig(String bootstrapServers, Map<String, String> kafkaProperties, Topics topics, String groupId,
        String host, int port, Processor processor, LoadingPolicy loading, Path stateDir, Duration modelsCatchUp,
        long maxMessageBytes, RecordFormat dataFormat, ResultFormat resultsFormat, LifecycleRules lifecycle,
        int shadowQueueRecords) {

    ServerConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** How records are scored. */
    enum Processor {
        /** One custom GraphStage holds the models and scores. */
        STAGE,
        /** A router actor forwards to one serving actor per dataType, which persists its model and statistics. */
        ACTOR
    }
}
