package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.CommandRun;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The packaged loader ({@code java -jar target/loader.jar}): every command answers --help, the loader --version. */
class LoaderCommandLineIT {

    private static final Path JAR = Path.of("target", "loader.jar");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @ParameterizedTest(name = "loader {0} --help")
    @CsvSource(delimiter = '|', value = {
        "''            | Usage: loader [-hV] [COMMAND] | run, publish-model, read",
        "run           | Usage: loader run           | --rate, --data, --models, --model-interval, --bootstrap-servers",
        "publish-model | Usage: loader publish-model | --model-version, --data-type, --by-reference, --type",
        "read          | Usage: loader read          | --topic, --max, --idle, --latest"})
    void everyCommandPrintsItsUsage(String command, String usage, String options) {
        String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};

        CommandRun help = CommandRun.javaJar(JAR, DEADLINE, args);

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith(usage).contains(options.split(", ")).contains("--help", "--version");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void versionNamesTheProjectAndKafkaVersions() {
        CommandRun version = CommandRun.javaJar(JAR, DEADLINE, "--version");

        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out().strip()).matches("loader \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Kafka \\d+\\.\\d+\\.\\d+\\)");
    }
}
