package dev.modelserving.loader;

import dev.modelserving.broker.BrokerConfig;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.data.ProjectData;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The data provider: starts a broker unless given one, creates the topics, then publishes the records of a CSV
 * file at a steady rate (looping over the file, read as it is sent) and the models in turn, with a progress line
 * every few seconds.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Publishes the records of a CSV file at --rate and cycles through the models every --model-interval.",
                "Starts its own Kafka broker on 127.0.0.1:--broker-port unless --bootstrap-servers is given."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of starting one.")
    String bootstrap;

    @Option(names = "--broker-port", defaultValue = "9092", description = "Port of the broker started here (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--broker-data", defaultValue = "kafka-data", description = "Data directory of the broker started here, kept across runs (default: ${DEFAULT-VALUE}).")
    Path brokerData;

    @Option(names = "--data", paramLabel = "FILE", description = "A CSV file with a header, separated by , or ; (default: the project's generated wines).")
    Path data;

    @Option(names = "--format", defaultValue = "wine", description = "How each row is sent: wine (a WineRecord: needs the 11 UCI columns), features (a FeatureRecord of every column) or json (default: ${DEFAULT-VALUE}).")
    RecordFormat format;

    @Option(names = "--strict", description = "Stop at the first bad CSV line instead of skipping it.")
    boolean strict;

    @Option(names = "--data-type", defaultValue = "wine", description = "dataType of the records (default: ${DEFAULT-VALUE}).")
    String dataType;

    @Option(names = "--rate", defaultValue = "1", converter = Rate.Converter.class, description = "Records per second, or max (default: ${DEFAULT-VALUE}).")
    Rate rate;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many records (default: never; the file is looped).")
    long count;

    @Option(names = "--models", paramLabel = "DIR", description = "Directory of models (*.pmml, *.pb, *.zip) to cycle through (default: the project's trained models).")
    Path models;

    @Option(names = "--model-interval", defaultValue = "2m", converter = Durations.class, description = "Time between two model publications, at least 50ms (default: ${DEFAULT-VALUE}).")
    Duration modelInterval;

    @Option(names = "--max-models", defaultValue = "0", description = "Publish this many models, then stop cycling (default: no limit).")
    int maxModels;

    @Option(names = "--partitions", defaultValue = "" + Topics.DEFAULT_DATA_PARTITIONS, description = "Partitions of the data topic when it is created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Mixin
    TopicOptions topicOptions = new TopicOptions();

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Topic names' prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--progress-interval", defaultValue = "5s", converter = Durations.class, description = "Time between progress lines, at least 100ms (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    /** The shortest --model-interval: a model takes a server about this long to check and swap in. */
    static final Duration MIN_MODEL_INTERVAL = Duration.ofMillis(50);
    /** The shortest --progress-interval. */
    static final Duration MIN_PROGRESS_INTERVAL = Duration.ofMillis(100);

    /** What is wrong with the options, or null: checked before anything is read, started or sent. */
    private String invalidOptions() {
        if (modelInterval.compareTo(MIN_MODEL_INTERVAL) < 0) {
            return "--model-interval must be at least " + MIN_MODEL_INTERVAL.toMillis() + "ms, not "
                    + modelInterval.toMillis() + "ms";
        }
        if (progressInterval.compareTo(MIN_PROGRESS_INTERVAL) < 0) {
            return "--progress-interval must be at least " + MIN_PROGRESS_INTERVAL.toMillis() + "ms, not "
                    + progressInterval.toMillis() + "ms";
        }
        if (count < 0) {
            return "--count must be 0 (no end) or more, not " + count;
        }
        if (maxModels < 0) {
            return "--max-models must be 0 (no limit) or more, not " + maxModels;
        }
        if (partitions < 1) {
            return "--partitions must be 1 or more, not " + partitions;
        }
        if (bootstrap == null && (brokerPort < 1 || brokerPort > 65_535)) {
            return "--broker-port must be a port (1 to 65535), not " + brokerPort;
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        String invalid = invalidOptions();
        if (invalid != null) {
            throw new ParameterException(spec.commandLine(), invalid);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CsvRecords records;
        List<ModelDescriptor> catalog;
        CsvRecords.Source source = data == null ? CsvRecords.Source.resource(ProjectData.WINE_CSV)
                : CsvRecords.Source.file(data);
        try {
            records = CsvRecords.open(source, format, dataType, strict);
            catalog = models == null ? ModelFiles.projectModels(dataType) : ModelFiles.directory(models, dataType);
        } catch (CsvRecords.CsvException | ModelLoadException | IOException e) {
            err.println("loader: nothing published: " + e.getMessage());
            return LoaderMain.BAD_INPUT;
        }
        if (records.rows() == 0) {
            err.println("loader: nothing published: " + source.name() + " has no usable rows");
            return LoaderMain.BAD_INPUT;
        }
        err.print(records.describeSkipped());

        Progress progress = new Progress();
        // Ctrl-C: the hook stops the publishers and waits until everything, the broker last, is closed.
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            progress.stop();
            awaitQuietly(done);
        }, "loader-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        EmbeddedKafkaBroker broker = null;
        try {
            broker = bootstrap == null ? startBroker(out) : null;
            String servers = broker == null ? bootstrap : broker.bootstrapServers();
            return publish(new KafkaConnection(servers, kafkaOptions.clientProperties()), records, catalog,
                    progress, out);
        } finally {
            if (broker != null) {
                broker.close();
            }
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyStopping) {
                // the JVM is shutting down: the hook is running and has just been released
            }
        }
    }

    private EmbeddedKafkaBroker startBroker(PrintWriter out) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(new BrokerConfig(BrokerConfig.LOCALHOST, brokerPort, 0,
                brokerData.toAbsolutePath(), 1, Map.of()));
        out.println("Kafka broker started at " + broker.bootstrapServers() + " (data in " + broker.dataDir() + ")");
        return broker;
    }

    private int publish(KafkaConnection kafka, CsvRecords records, List<ModelDescriptor> catalog,
            Progress progress, PrintWriter out) throws Exception {
        Topics topics = Topics.withPrefix(topicPrefix);
        try (Admin admin = kafka.reachableAdmin()) {
            topics.ensure(admin, partitions, topicOptions.replicationFactor());
        }
        out.println("publishing " + records.rows() + " records (" + records.skipped() + " lines skipped) as "
                + format.label() + " to " + topics.data()
                + " at " + rate + (count > 0 ? ", " + count + " records" : ", looping") + "; " + catalog.size()
                + " models to " + topics.models() + " every " + modelInterval.toMillis() / 1000.0 + " s");
        try (KafkaProducer<String, byte[]> producer = kafka.producer();
                CsvRecords.Looping rows = records.looping();
                ModelCycle models = new ModelCycle(producer, topics.models(), catalog, modelInterval, maxModels,
                        progress)) {
            RecordPublisher publisher = new RecordPublisher(producer, topics.data(), rows, format, rate, count,
                    progress);
            ProgressLine line = new ProgressLine(progress, out, progressInterval);
            models.start();
            line.start();
            publisher.run();
            models.awaitAll(progress);
            line.close();
            producer.flush();
            out.println("done: " + progress.summary());
            return progress.failed() == 0 ? 0 : 1;
        }
    }

    private static void awaitQuietly(CountDownLatch done) {
        try {
            done.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
