package dev.modelserving.loader;

import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How the commands that create missing topics create them. */
final class TopicOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Short replicationFactor;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Replication factor of the topics it creates (default: the broker's default.replication.factor).")
    void replicationFactor(short n) {
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--replication-factor must be 1 or more, not " + n);
        }
        replicationFactor = n;
    }

    /** Empty: the broker's {@code default.replication.factor}. */
    Optional<Short> replicationFactor() {
        return Optional.ofNullable(replicationFactor);
    }
}
