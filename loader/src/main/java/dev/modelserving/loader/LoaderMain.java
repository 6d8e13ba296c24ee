package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.kafka.KafkaClientProperties;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The loader: the tutorial's data provider and reader. With no subcommand it runs {@code run}: a broker (unless
 * given one), the topics, wine records at a steady rate and the project's models in turn.
 */
@Command(name = "loader", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        subcommands = {RunCommand.class, PublishModelCommand.class, ShadowCommand.class, PromoteCommand.class,
                RollbackCommand.class, ModelsCommand.class, ReadCommand.class},
        description = {"Publishes wine records and models to Kafka and reads the topics back.",
                "Without a subcommand: run (see `loader run --help`)."})
public final class LoaderMain implements Callable<Integer> {

    /** Exit code when Kafka cannot be reached, or refuses the client's TLS handshake or SASL login. */
    static final int UNREACHABLE = 2;
    /** Exit code for input the loader refuses (a bad CSV with --strict, a bad model). */
    static final int BAD_INPUT = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get("run").execute();
    }

    /** A command line whose errors are one line on stderr, never a stack trace. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new LoaderMain()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            boolean unreachable = e instanceof KafkaConnection.UnreachableBroker
                    || e instanceof KafkaConnection.RefusedClient;
            boolean badConfig = e instanceof KafkaClientProperties.Unreadable;
            commandLine.getErr().println("loader: " + (unreachable || badConfig ? e.getMessage() : describe(e)));
            if (badConfig) {
                return BAD_INPUT;
            }
            return unreachable ? UNREACHABLE : 1;
        });
        return cli;
    }

    /** The exception and its causes on one line. */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append("; caused by ").append(c);
        }
        return out.toString();
    }

    public static void main(String[] args) {
        // `run` embeds Kafka's broker, which upper-cases config values with the default locale: under a Turkish
        // one it does not start.
        Locale.setDefault(Locale.ROOT);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err).execute(args));
    }
}
