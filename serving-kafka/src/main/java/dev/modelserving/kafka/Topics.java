package dev.modelserving.kafka;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The five topics of the system. {@link #withPrefix(String)} names them alike ({@value #DEFAULT_PREFIX} gives
 * models_data, models_models, models_results, models_data_dlq, models_shadow); tests use a prefix of their own so
 * they do not see each other's records.
 *
 * @param data the records to score (WineRecords, FeatureRecords or JSON; see {@link RecordFormat})
 * @param models model descriptors keyed by dataType or dataType/version; compacted, so the latest message per key
 *     is kept (README, "Model lifecycle")
 * @param results ServingResults
 * @param deadLetters records that could not be decoded or scored, the reason in a header
 * @param shadow the candidate models' ServingResults (marked {@code candidate}), beside the live model's results
 */
public record Topics(String data, String models, String results, String deadLetters, String shadow) {

    public static final String DEFAULT_PREFIX = "models_";
    /**
     * The largest models-topic message the project's clients send and fetch: a model of the default 64 MiB cap and
     * its descriptor (65 MiB; {@code model-server.max-message-bytes} on the servers).
     */
    public static final int MAX_MESSAGE_BYTES = 65 * 1024 * 1024;
    /**
     * The {@code buffer.memory} of a producer that sends models: at least one message of {@link #MAX_MESSAGE_BYTES}
     * (Kafka's default, 32 MiB, refuses any larger message).
     */
    public static final long PRODUCER_BUFFER_BYTES = MAX_MESSAGE_BYTES + 1024L * 1024;
    /** Partitions of the data and results topics when the loader creates them. */
    public static final int DEFAULT_DATA_PARTITIONS = 3;
    /** The default names, as constants that annotations (configuration and option defaults) can name. */
    public static final String DEFAULT_DATA = DEFAULT_PREFIX + "data";
    public static final String DEFAULT_MODELS = DEFAULT_PREFIX + "models";
    public static final String DEFAULT_RESULTS = DEFAULT_PREFIX + "results";
    public static final String DEFAULT_DEAD_LETTERS = DEFAULT_PREFIX + "data_dlq";
    public static final String DEFAULT_SHADOW = DEFAULT_PREFIX + "shadow";
    /** models_data, models_models, models_results, models_data_dlq, models_shadow. */
    public static final Topics DEFAULT = new Topics(DEFAULT_DATA, DEFAULT_MODELS, DEFAULT_RESULTS,
            DEFAULT_DEAD_LETTERS, DEFAULT_SHADOW);

    public static Topics withPrefix(String prefix) {
        return new Topics(prefix + "data", prefix + "models", prefix + "results", prefix + "data_dlq",
                prefix + "shadow");
    }

    /** The same topics, but records are read from another data topic. */
    public Topics withData(String dataTopic) {
        return new Topics(dataTopic, models, results, deadLetters, shadow);
    }

    public List<String> all() {
        return List.of(data(), models(), results(), deadLetters(), shadow());
    }

    /**
     * Creates whichever topics do not exist yet, with the broker's default replication factor; existing ones are
     * left as they are.
     */
    public void ensure(Admin admin, int dataPartitions) throws InterruptedException, ExecutionException,
            TimeoutException {
        ensure(admin, dataPartitions, Optional.empty());
    }

    /**
     * Creates whichever topics do not exist yet; existing ones are left as they are. The models topic is compacted
     * and takes messages up to {@link #MAX_MESSAGE_BYTES}, so that a model of the default cap travels inline
     * whatever the broker's own {@code message.max.bytes}.
     *
     * @param replicationFactor empty: the broker's {@code default.replication.factor}
     */
    public void ensure(Admin admin, int dataPartitions, Optional<Short> replicationFactor)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        Optional<Integer> one = Optional.of(1);
        Optional<Integer> partitions = Optional.of(dataPartitions);
        List<NewTopic> missing = List.of(
                        new NewTopic(data(), partitions, replicationFactor),
                        new NewTopic(models(), one, replicationFactor).configs(Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES))),
                        new NewTopic(results(), partitions, replicationFactor),
                        new NewTopic(deadLetters(), one, replicationFactor),
                        new NewTopic(shadow(), partitions, replicationFactor))
                .stream().filter(t -> !existing.contains(t.name())).toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        }
    }
}
