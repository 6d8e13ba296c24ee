package dev.modelserving.akka;

import akka.actor.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.LoadingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    @Option(names = "--data-topic", defaultValue = "models_data", description = "Default: ${DEFAULT-VALUE}.")
    String dataTopic;

    @Option(names = "--models-topic", defaultValue = "models_models", description = "Default: ${DEFAULT-VALUE}.")
    String modelsTopic;

    @Option(names = "--results-topic", defaultValue = "models_results", description = "Default: ${DEFAULT-VALUE}.")
    String resultsTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "models_data_dlq", description = "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(names = "--max-model-bytes", defaultValue = "67108864",
            description = "Models larger than this are refused. Default: ${DEFAULT-VALUE}.")
    long maxModelBytes;

    @Option(names = "--model-root", description = "A directory models may be loaded from by reference (repeatable); none by default.")
    List<Path> modelRoots = List.of();

    @Option(names = "--work-dir", defaultValue = "${sys:java.io.tmpdir}/model-serving",
            description = "Scratch space for unpacking SavedModels. Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(names = "--state-dir", defaultValue = "akka-state",
            description = "Where the actor processor keeps each dataType's model and statistics. Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--models-catch-up-seconds", defaultValue = "30",
            description = "At start, records wait until the models topic has been read to its end, at most this long."
                    + " Default: ${DEFAULT-VALUE}.")
    int catchUpSeconds;

    @Override
    public Integer call() throws Exception {
        ServerConfig.Processor p;
        try {
            p = ServerConfig.Processor.valueOf(processor.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--processor '" + processor + "' is not a processor: use stage or actor");
        }
        ServerConfig config = new ServerConfig(bootstrapServers,
                new Topics(dataTopic, modelsTopic, resultsTopic, deadLetterTopic), groupId, host, port,
                p, LoadingPolicy.defaults().withMaxModelBytes(maxModelBytes).withModelRoots(modelRoots)
                        .withWorkDir(workDir), stateDir.toAbsolutePath(), Duration.ofSeconds(catchUpSeconds));
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
                        "akka.log-dead-letters-during-shutdown", "off"))
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
