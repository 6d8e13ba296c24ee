package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The data reader: prints what is on the topics, decoded, one line per message. */
@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Prints the messages of the topics decoded: records as fields, models as name/type/size/dataType,"
                + " results as the model that scored and its result.",
                "Follows the topics until Ctrl-C, --max messages or --idle without a message."})
final class ReadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "A topic to read; repeat for several (default: the data, models, results and dead-letter topics).")
    List<String> topicNames;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Topic names' prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--latest", description = "Only messages that arrive from now on (default: from the beginning).")
    boolean latest;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many messages (default: no limit).")
    long max;

    @Option(names = "--output", defaultValue = "text", description = "text: one readable line per message; json: one JSON"
            + " object per message (topic, partition, offset, key, headers, value decoded), for jq (default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--data-format", defaultValue = "wine", description = "How a data record without a content-type"
            + " header is read: wine, features or json, as the servers' model-server.data.format (default: ${DEFAULT-VALUE}).")
    RecordFormat dataFormat;

    /** How messages are printed. */
    enum Output {
        TEXT, JSON
    }

    @Option(names = "--idle", converter = Durations.class, description = "Stop when no message arrived for this long, e.g. 5s (default: follow).")
    Duration idle;

    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        if (max < 0) {
            throw new ParameterException(spec.commandLine(), "--max must be 0 (no limit) or more, not " + max);
        }
        if (idle != null && (idle.isZero() || idle.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--idle must be longer than 0");
        }
        Topics topics = Topics.withPrefix(topicPrefix);
        KafkaConnection kafka = new KafkaConnection(bootstrap, kafkaOptions.clientProperties());
        try (Admin admin = kafka.reachableAdmin()) {
            // reachable: go on
        }
        PrintWriter out = spec.commandLine().getOut();
        Thread hook = new Thread(() -> stopping = true, "loader-read-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long read = 0;
        // A group of its own that never commits: every read starts where --latest says.
        try (KafkaConsumer<String, byte[]> consumer = kafka.consumer("loader-read-" + UUID.randomUUID(),
                latest ? "latest" : "earliest")) {
            consumer.subscribe(topicNames == null ? topics.all() : topicNames);
            long lastMessage = System.nanoTime();
            while (!stopping && (max == 0 || read < max)
                    && (idle == null || System.nanoTime() - lastMessage < idle.toNanos())) {
                for (ConsumerRecord<String, byte[]> m : consumer.poll(Duration.ofMillis(200))) {
                    out.println(output == Output.JSON ? MessageJson.line(m, topics, dataFormat)
                            : MessageFormat.line(m, topics, dataFormat));
                    lastMessage = System.nanoTime();
                    if (++read == max) {
                        break;
                    }
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyStopping) {
                // shutting down anyway
            }
        }
        spec.commandLine().getErr().println(read + " messages read");
        return 0;
    }
}
