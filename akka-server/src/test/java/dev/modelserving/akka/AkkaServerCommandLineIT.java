package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.CommandRun;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged Akka server's command line answers --help and --version without starting a server, and refuses a
 * Kafka configuration file it cannot read before it starts anything.
 */
class AkkaServerCommandLineIT {

    private static final Path JAR = Path.of("target", "akka-server.jar");

    @Test
    void helpListsEveryOption() {
        CommandRun help = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--help");

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: akka-server ").contains("--processor", "--bootstrap-servers",
                "--port", "--group-id", "--data-topic", "--models-topic", "--results-topic", "--dead-letter-topic",
                "--max-model-bytes", "--kafka-config", "-X", "--help", "--version");
    }

    @Test
    void aKafkaConfigFileThatCannotBeReadIsOneLineAndExitCode3() {
        Path missing = Path.of("target", "no-such-kafka.properties").toAbsolutePath();

        CommandRun run = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--kafka-config", missing.toString(),
                "-X", "security.protocol=SSL", "--port", "0");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(AkkaServer.BAD_INPUT);
        assertThat(run.err().strip()).isEqualTo("akka-server: cannot read --kafka-config " + missing
                + ": no such file; not started");
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
