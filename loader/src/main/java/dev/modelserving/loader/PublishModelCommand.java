package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.kafka.SizeCheck;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelVersions;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.PromotionRule;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Deploys one model: checked locally with the model library first, then published keyed by its dataType and
 * version ({@code wine/3}), so the topic keeps every version (README, "Model lifecycle").
 */
@Command(name = "publish-model", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Publishes one model to the models topic, keyed by its dataType and version; every server"
                + " swaps it in (with --candidate: scores it beside the live model, see `loader shadow`).",
                "The model is loaded and scored on sample records here first: a file that would be refused is never"
                        + " sent. The topic keeps --keep-versions versions of each dataType."})
class PublishModelCommand implements Callable<Integer> {

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

    @Option(names = "--candidate", description = "Publish it as the candidate: every server scores each record with it beside the live model, to the shadow topic, without serving it (what `loader shadow` does).")
    boolean candidate;

    @Option(names = "--promote-after", paramLabel = "N", description = "A candidate's promotion rule: once it has been compared on N records and every condition given holds, the servers promote it.")
    Long promoteAfter;

    @Option(names = "--min-agreement", paramLabel = "SHARE", description = "Promotion rule: the share of records whose labels agree, at least (0-1).")
    Double minAgreement;

    @Option(names = "--max-p99-ratio", paramLabel = "RATIO", description = "Promotion rule: the candidate's p99 scoring time divided by the live model's, at most.")
    Double maxP99Ratio;

    @Option(names = "--max-mean-difference", paramLabel = "D", description = "Promotion rule: the mean absolute difference of values, at most.")
    Double maxMeanDifference;

    @Option(names = "--max-candidate-errors", paramLabel = "N", defaultValue = "0", description = "Promotion rule: records the candidate may fail to score (default: ${DEFAULT-VALUE}).")
    long maxCandidateErrors;

    @Option(names = "--keep-versions", paramLabel = "N", defaultValue = "5", description = "Versions of the dataType the topic keeps: older ones (never the live, candidate or previous one) are withdrawn with a tombstone (default: ${DEFAULT-VALUE}).")
    int keepVersions;

    /** Whether the model goes out as a candidate. */
    boolean asCandidate() {
        return candidate;
    }

    @Override
    public Integer call() throws Exception {
        String invalid = invalidOptions();
        if (invalid != null) {
            throw new ParameterException(spec.commandLine(), invalid);
        }
        ModelDescriptor d;
        try {
            d = ModelFiles.describe(new ModelFiles.Spec(file, modelType(), dataType, name, description, version,
                    byReference, new ModelFiles.TensorflowNames(tfInput, tfOutput, tfSignature, List.copyOf(inputs)), sample));
        } catch (ModelLoadException e) {
            spec.commandLine().getErr().println("loader: model " + file + " not published: " + e.getMessage());
            return LoaderMain.BAD_INPUT;
        }
        if (asCandidate()) {
            ModelDescriptor.Builder b = d.toBuilder().setCandidate(true);
            if (promoteAfter != null) {
                PromotionRule.Builder rule = PromotionRule.newBuilder().setAfterRecords(promoteAfter)
                        .setMaxCandidateErrors(maxCandidateErrors);
                if (minAgreement != null) {
                    rule.setMinLabelAgreement(minAgreement);
                }
                if (maxP99Ratio != null) {
                    rule.setMaxP99Ratio(maxP99Ratio);
                }
                if (maxMeanDifference != null) {
                    rule.setMaxMeanAbsoluteDifference(maxMeanDifference);
                }
                b.setPromotionRule(rule);
            }
            d = b.build();
        }
        KafkaConnection kafka = new KafkaConnection(bootstrap, kafkaOptions.clientProperties());
        Topics topics = Topics.withPrefix(topicPrefix);
        String modelsKey = ModelsTopic.key(d);
        byte[] key = modelsKey.getBytes(StandardCharsets.UTF_8);
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
            RecordMetadata sent = producer.send(new ProducerRecord<>(topics.models(), modelsKey, value))
                    .get(30, TimeUnit.SECONDS);
            spec.commandLine().getOut().printf(Locale.ROOT, "published %s%s as %s to %s[%d]@%d%n",
                    asCandidate() ? "candidate " : "", MessageFormat.model(d), modelsKey, sent.topic(),
                    sent.partition(), sent.offset());
            withdrawOldVersions(producer, topics, d.getDataType());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                return tooLarge(topics, "Kafka refused its message of about " + bytes + " bytes: "
                        + tooLarge.getMessage());
            }
            throw e;
        }
        return 0;
    }

    /** What is wrong with the options, before anything is read or sent; null when nothing is. */
    private String invalidOptions() {
        if (keepVersions < 1) {
            return "--keep-versions must be 1 or more, not " + keepVersions;
        }
        boolean rule = promoteAfter != null || minAgreement != null || maxP99Ratio != null || maxMeanDifference != null;
        if (rule && !asCandidate()) {
            return "a promotion rule (--promote-after, --min-agreement, ...) is for a candidate: add --candidate";
        }
        if (rule && promoteAfter == null) {
            return "a promotion rule needs --promote-after N (how many records to compare first)";
        }
        if (promoteAfter != null && promoteAfter < 1) {
            return "--promote-after must be 1 or more, not " + promoteAfter;
        }
        if (minAgreement != null && !(minAgreement > 0 && minAgreement <= 1)) {
            return "--min-agreement must be above 0 and at most 1, not " + minAgreement;
        }
        if (maxP99Ratio != null && !(maxP99Ratio > 0)) {
            return "--max-p99-ratio must be above 0, not " + maxP99Ratio;
        }
        if (maxMeanDifference != null && !(maxMeanDifference > 0)) {
            return "--max-mean-difference must be above 0, not " + maxMeanDifference;
        }
        if (maxCandidateErrors < 0) {
            return "--max-candidate-errors must be 0 or more, not " + maxCandidateErrors;
        }
        return null;
    }

    /**
     * Withdraws (a tombstone per key) the oldest versions of the dataType beyond {@link #keepVersions}; the live,
     * candidate and previous versions always stay.
     */
    private void withdrawOldVersions(KafkaProducer<String, byte[]> producer, Topics topics, String type)
            throws Exception {
        ModelsTopicAccess access = new ModelsTopicAccess();
        access.kafkaOptions = kafkaOptions;
        access.bootstrap = bootstrap;
        access.topicPrefix = topicPrefix;
        ModelVersions.DataType t = access.read().dataType(type).orElse(null);
        if (t == null) {
            return;
        }
        Set<String> kept = new HashSet<>();
        t.live().ifPresent(v -> kept.add(v.key()));
        t.candidate().ifPresent(v -> kept.add(v.key()));
        t.previous().ifPresent(v -> kept.add(v.key()));
        List<ModelVersions.Version> versioned = t.versions().stream()
                .filter(v -> v.key().length() > type.length()).toList();
        int excess = versioned.size() - keepVersions;
        for (ModelVersions.Version v : versioned) {
            if (excess <= 0) {
                break;
            }
            if (!kept.contains(v.key())) {
                producer.send(new ProducerRecord<>(topics.models(), v.key(), null)).get(30, TimeUnit.SECONDS);
                spec.commandLine().getOut().printf(Locale.ROOT, "withdrew %s (%s): more than %d versions of '%s'%n",
                        v.label(), v.key(), keepVersions, type);
                excess--;
            }
        }
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
