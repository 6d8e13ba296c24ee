package dev.modelserving.loader;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The four topics of the system, named by a prefix ({@value #DEFAULT_PREFIX} gives models_data, models_models,
 * models_results, models_data_dlq; tests use their own prefix so they do not see each other's records).
 *
 * @param prefix the common prefix
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "models_";

    public static Topics standard() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Wine records, protobuf WineRecord. */
    public String data() {
        return prefix + "data";
    }

    /** Model descriptors keyed by dataType; compacted, so the latest model per dataType is kept. */
    public String models() {
        return prefix + "models";
    }

    /** ServingResults. */
    public String results() {
        return prefix + "results";
    }

    /** Records that could not be decoded, with the error in a header. */
    public String deadLetters() {
        return prefix + "data_dlq";
    }

    public List<String> all() {
        return List.of(data(), models(), results(), deadLetters());
    }

    /** Creates whichever topics do not exist yet; existing ones are left as they are. */
    public void ensure(Admin admin, int dataPartitions) throws InterruptedException, ExecutionException,
            TimeoutException {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = List.of(
                        new NewTopic(data(), dataPartitions, (short) 1),
                        new NewTopic(models(), 1, (short) 1).configs(Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                        new NewTopic(results(), dataPartitions, (short) 1),
                        new NewTopic(deadLetters(), 1, (short) 1))
                .stream().filter(t -> !existing.contains(t.name())).toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        }
    }
}
