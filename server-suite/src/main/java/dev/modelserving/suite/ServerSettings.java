package dev.modelserving.suite;

import dev.modelserving.kafka.Topics;
import java.nio.file.Path;

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
 */
public record ServerSettings(String bootstrapServers, Topics topics, String consumerGroup, int httpPort,
        Path stateDir, long maxModelBytes, Path logFile) {}
