package dev.modelserving.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged broker's command line answers {@code --help} and {@code --version} without starting anything. */
class BrokerCommandLineIT {

    private static final Path JAR = Path.of("target", "broker.jar");

    @Test
    void helpListsEveryOption() {
        CommandRun help = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--help");

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: broker ")
                .contains("--port", "--host", "--controller-port", "--data-dir", "--partitions", "--version")
                .contains("--ssl-port", "--ssl-keystore", "--ssl-keystore-password", "--ssl-truststore",
                        "--sasl-port", "--sasl-user", "--sasl-password");
    }

    @Test
    void versionNamesTheProjectAndKafkaVersions() {
        CommandRun version = CommandRun.javaJar(JAR, Duration.ofSeconds(60), "--version");

        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out().strip()).matches("broker \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Kafka \\d+\\.\\d+\\.\\d+\\)");
    }
}
