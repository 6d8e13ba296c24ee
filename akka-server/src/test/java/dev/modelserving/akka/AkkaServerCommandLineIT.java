package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.CommandRun;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged Akka server's command line answers --help and --version without starting a server. */
class AkkaServerCommandLineIT {

    private static final Path JAR = Path.of("target", "akka-server.jar");

    @Test
    void helpListsEveryOption() {
        CommandRun help = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--help");

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: akka-server ").contains("--processor", "--bootstrap-servers",
                "--port", "--group-id", "--data-topic", "--models-topic", "--results-topic", "--dead-letter-topic",
                "--max-model-bytes", "--help", "--version");
    }

    @Test
    void versionNamesTheProjectAkkaAndKafkaVersions() {
        CommandRun version = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--version");

        assertThat(version.exitCode()).as(version.err()).isZero();
        String release = "\\d+\\.\\d+\\.\\d+";
        assertThat(version.out().strip()).matches("akka-server " + release + "(-SNAPSHOT)? \\(Akka 2\\.6\\.\\d+,"
                + " Kafka clients " + release + "\\)");
    }
}
