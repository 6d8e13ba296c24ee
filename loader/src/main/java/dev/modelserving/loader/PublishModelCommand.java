package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.kafka.SizeCheck;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Deploys one model: checked locally with the model library first, then published keyed by its dataType. */
@Command(name = "publish-model", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Publishes one model to the models topic, keyed by its dataType; every server swaps it in.",
                "The model is loaded and scored on sample records here first: a file that would be refused is never"
                        + " sent."})
final class PublishModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "The model: PMML (.pmml/.xml), a TensorFlow frozen graph (.pb) or a zipped SavedModel (.zip).")
    Path file;

    @Option(names = "--type", paramLabel = "pmml|tf", description = "Model type (default: from the file's extension).")
    String type;

    @Option(names = "--data-type", defaultValue = "wine", description = "The records this model serves (default: ${DEFAULT-VALUE}).")
    String dataType;

    @Option(names = "--name", description = "Model name (default: the file name without extension).")
    String name;

    @Option(names = "--description", description = "Model description.")
    String description;

    @Option(names = "--model-version", description = "Model version (default: the first 12 hex digits of its SHA-256).")
    String version;

    @Option(names = "--by-reference", description = "Send the file's path and SHA-256 instead of its bytes; servers read it from their configured model roots.")
    boolean byReference;

    @Option(names = "--tf-input", defaultValue = "", description = "Frozen graph: the operation to feed (default: dense_1_input).")
    String tfInput;

    @Option(names = "--tf-output", defaultValue = "", description = "Frozen graph: the operation to fetch (default: dense_3/Sigmoid).")
    String tfOutput;

    @Option(names = "--tf-signature", defaultValue = "", description = "SavedModel: the signature to call (default: serving_default).")
    String tfSignature;

    @Option(names = "--sample", paramLabel = "FILE.csv", description = "A CSV file with a header: the model must score its first " + ModelFiles.MAX_SAMPLE_ROWS + " rows here before it is sent (columns typed as run reads them).")
    Path sample;

    @Option(names = "--inputs", split = ",", paramLabel = "NAME", description = "TensorFlow: the features fed as the input tensor's columns, in order, e.g. tenure,monthly_charges,support_calls (default: the 11 wine measurements).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Topic names' prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Mixin
    TopicOptions topicOptions = new TopicOptions();

    @Override
    public Integer call() throws Exception {
        ModelDescriptor d;
        try {
            d = ModelFiles.describe(new ModelFiles.Spec(file, modelType(), dataType, name, description, version,
                    byReference, new ModelFiles.TensorflowNames(tfInput, tfOutput, tfSignature, List.copyOf(inputs)), sample));
        } catch (ModelLoadException e) {
            spec.commandLine().getErr().println("loader: model " + file + " not published: " + e.getMessage());
            return LoaderMain.BAD_INPUT;
        }
        KafkaConnection kafka = new KafkaConnection(bootstrap, kafkaOptions.clientProperties());
        Topics topics = Topics.withPrefix(topicPrefix);
        byte[] key = d.getDataType().getBytes(StandardCharsets.UTF_8);
        byte[] value = d.toByteArray();
        long limit;
        try (Admin admin = kafka.reachableAdmin()) {
            topics.ensure(admin, Topics.DEFAULT_DATA_PARTITIONS, topicOptions.replicationFactor());
            limit = Math.min(maxMessageBytes(admin, topics.models()), Topics.MAX_MESSAGE_BYTES);
        }
        int bytes = SizeCheck.messageBytes(key, value);
        if (bytes > limit) {
            return tooLarge(topics, "its message of about " + bytes + " bytes is larger than " + topics.models()
                    + " takes (" + limit + " bytes)");
        }
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topics.models(), d.getDataType(), value))
                    .get(30, TimeUnit.SECONDS);
            spec.commandLine().getOut().printf(Locale.ROOT, "published %s to %s[%d]@%d%n", MessageFormat.model(d), sent.topic(),
                    sent.partition(), sent.offset());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                return tooLarge(topics, "Kafka refused its message of about " + bytes + " bytes: "
                        + tooLarge.getMessage());
            }
            throw e;
        }
        return 0;
    }

    /** The topic's limit; a topic just created may be unknown to the broker's config for a moment (10 s at most). */
    private static long maxMessageBytes(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return SizeCheck.maxMessageBytes(admin, topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private int tooLarge(Topics topics, String why) {
        spec.commandLine().getErr().println("loader: model " + file + " not published: " + why + "; publish it with"
                + " --by-reference (servers read it from their model roots), or raise max.message.bytes of "
                + topics.models());
        return LoaderMain.BAD_INPUT;
    }

    private ModelType modelType() throws ModelLoadException {
        if (type == null) {
            ModelType inferred = ModelFiles.typeOf(file);
            if (inferred == null) {
                throw new ModelLoadException("cannot tell the model type from the file name; give --type pmml or --type tf");
            }
            return inferred;
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "pmml" -> ModelType.PMML;
            case "tf", "tensorflow" -> ModelType.TENSORFLOW;
            default -> throw new ModelLoadException("unknown model type '" + type + "' (use pmml or tf)");
        };
    }
}
