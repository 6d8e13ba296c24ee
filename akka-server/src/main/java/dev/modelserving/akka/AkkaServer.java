package dev.modelserving.akka;

import akka.actor.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar akka-server/target/akka-server.jar [options]}: the Akka Streams model server. */
@Command(name = "akka-server", mixinStandardHelpOptions = true, versionProvider = AkkaServer.Versions.class,
        sortOptions = false,
        description = "Serves the models of models_models to the records of models_data with Akka Streams "
                + "(Alpakka Kafka) and publishes the results to models_results; REST state on --port.")
public final class AkkaServer implements Callable<Integer> {

    /** {@code --version}: the project version from the jar's manifest, and the Akka and Kafka versions. */
    public static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = AkkaServer.class.getPackage().getImplementationVersion();
            return new String[] {"akka-server " + (version == null ? "(development build, not run from its jar)"
                    : version) + " (Akka " + akka.Version.current() + ", Kafka clients " + AppInfoParser.getVersion()
                    + ")"};
        }
    }

    /** Exit code for a --kafka-config file that cannot be read (as the loader's for refused input). */
    static final int BAD_INPUT = 3;

    /** Held so that the levels set here are not garbage-collected with their loggers. */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("akka.kafka.internal"));

    @Option(names = "--processor", defaultValue = "stage",
            description = "stage (one custom GraphStage holds the models) or actor (a router with one serving actor"
                    + " per dataType, persisted under --state-dir). Default: ${DEFAULT-VALUE}.")
    String processor;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "5500", description = "REST port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "REST address. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--group-id", defaultValue = "akka-server",
            description = "Consumer group of the data topic; instances of one group share its partitions. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (a Java properties"
            + " file) for every Kafka client, e.g. security.protocol, ssl.*, sasl.*.")
    Path kafkaConfig;

    @Option(names = "-X", paramLabel = "KEY=VALUE", description = "A Kafka client property for every Kafka client"
            + " (repeatable); overrides --kafka-config. Neither changes --bootstrap-servers, --group-id or the"
            + " (de)serializers.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    // The settings every server shares (model-server.*, see the README's table): an option given here overrides
    // the same setting from system properties, the environment or application.properties.

    @Option(names = "--data-topic", description = "model-server.topics.data (default: " + Topics.DEFAULT_DATA + ").")
    String dataTopic;

    @Option(names = "--models-topic",
            description = "model-server.topics.models (default: " + Topics.DEFAULT_MODELS + ").")
    String modelsTopic;

    @Option(names = "--results-topic",
            description = "model-server.topics.results (default: " + Topics.DEFAULT_RESULTS + ").")
    String resultsTopic;

    @Option(names = "--dead-letter-topic",
            description = "model-server.topics.dead-letters (default: " + Topics.DEFAULT_DEAD_LETTERS + ").")
    String deadLetterTopic;

    @Option(names = "--shadow-topic",
            description = "model-server.topics.shadow: candidate models' results (default: " + Topics.DEFAULT_SHADOW
                    + ").")
    String shadowTopic;

    @Option(names = "--max-model-bytes",
            description = "model-server.max-model-bytes: models larger than this are refused (default: 64 MiB).")
    Long maxModelBytes;

    @Option(names = "--model-root", description = "model-server.model-roots: a directory models may be loaded from"
            + " by reference (repeatable); none by default.")
    List<Path> modelRoots;

    @Option(names = "--work-dir",
            description = "model-server.work-dir: where SavedModels are unpacked, private to this user (default: "
                    + "java.io.tmpdir/model-serving-USER).")
    Path workDir;

    @Option(names = "--models-catch-up", description = "model-server.models-catch-up: at start, records wait until"
            + " the models topic has been read to its end, at most this long, e.g. 60s (default: 60s).")
    String catchUp;

    @Option(names = "--model-load-timeout", description = "model-server.model-load-timeout: a model whose load takes"
            + " longer is refused while the previous one serves on, e.g. 60s (default: 60s).")
    String loadTimeout;

    @Option(names = "--data-format", description = "model-server.data.format: how a data record without a"
            + " content-type header is read: wine, features or json (default: wine).")
    String dataFormat;

    @Option(names = "--results-format", description = "model-server.results.format: how results are written:"
            + " protobuf or json (default: protobuf).")
    String resultsFormat;

    // This server's own options.

    @Option(names = "--state-dir", defaultValue = "akka-state",
            description = "Where the actor processor keeps each dataType's model and statistics. Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    /** The shared settings, with the options given on this command line on top. */
    ServerSettings settings() {
        Map<String, String> overrides = new HashMap<>();
        putIfGiven(overrides, "model-server.topics.data", dataTopic);
        putIfGiven(overrides, "model-server.topics.models", modelsTopic);
        putIfGiven(overrides, "model-server.topics.results", resultsTopic);
        putIfGiven(overrides, "model-server.topics.dead-letters", deadLetterTopic);
        putIfGiven(overrides, "model-server.topics.shadow", shadowTopic);
        putIfGiven(overrides, "model-server.max-model-bytes", maxModelBytes);
        putIfGiven(overrides, "model-server.work-dir", workDir);
        putIfGiven(overrides, "model-server.models-catch-up", catchUp);
        putIfGiven(overrides, "model-server.model-load-timeout", loadTimeout);
        putIfGiven(overrides, "model-server.data.format", dataFormat);
        putIfGiven(overrides, "model-server.results.format", resultsFormat);
        if (modelRoots != null && !modelRoots.isEmpty()) {
            overrides.put("model-server.model-roots",
                    String.join(",", modelRoots.stream().map(Path::toString).toList()));
        }
        return ServerSettings.load(overrides);
    }

    private static void putIfGiven(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> kafka;
        try {
            kafka = KafkaClientProperties.of(kafkaConfig, kafkaProperties);
        } catch (KafkaClientProperties.Unreadable e) {
            System.err.println("akka-server: " + e.getMessage() + "; not started");
            return BAD_INPUT;
        }
        ServerConfig.Processor p;
        try {
            p = ServerConfig.Processor.valueOf(processor.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--processor '" + processor + "' is not a processor: use stage or actor");
        }
        ServerSettings settings;
        try {
            settings = settings();
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "bad setting: " + e.getMessage());
        }
        ServerConfig config = new ServerConfig(bootstrapServers, kafka, settings.topicNames(), groupId, host, port, p,
                settings.loadingPolicy(), stateDir.toAbsolutePath(), settings.modelsCatchUp(),
                settings.maxMessageBytes(), settings.data().format(), settings.results().format(),
                settings.lifecycleRules(), settings.shadowQueueRecords());
        ActorSystem system = ActorSystem.create("akka-server", akkaConfig());
        try {
            Serving.start(system, config);
        } catch (Exception e) {
            system.terminate();
            throw e;
        }
        system.getWhenTerminated().toCompletableFuture().join();
        return 0;
    }

    static Config akkaConfig() {
        return ConfigFactory.parseMap(Map.of(
                        "akka.loggers", List.of("akka.event.slf4j.Slf4jLogger"),
                        "akka.logging-filter", "akka.event.slf4j.Slf4jLoggingFilter",
                        "akka.loglevel", "INFO",
                        "akka.log-dead-letters-during-shutdown", "off",
                        // a stop drains: what was read is written and its offsets committed (Serving.drain)
                        "akka.coordinated-shutdown.phases.service-stop.timeout", "30 s"))
                .withFallback(ConfigFactory.load());
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT,%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        }
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        System.exit(new CommandLine(new AkkaServer()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
