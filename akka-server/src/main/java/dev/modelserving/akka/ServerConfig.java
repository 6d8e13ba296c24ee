package dev.modelserving.akka;

import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.LoadingPolicy;
import java.nio.file.Path;
import java.time.Duration;

/** What the server is told on its command line. */
record ServerConfig(String bootstrapServers, Topics topics, String groupId, String host, int port,
        Processor processor, LoadingPolicy loading, Path stateDir, Duration modelsCatchUp, long maxMessageBytes,
        RecordFormat dataFormat, ResultFormat resultsFormat) {

    /** How records are scored. */
    enum Processor {
        /** One custom GraphStage holds the models and scores. */
        STAGE,
        /** A router actor forwards to one serving actor per dataType, which persists its model and statistics. */
        ACTOR
    }
}
