package dev.modelserving.broker;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What {@code --version} prints for the project's Kafka command lines (broker, loader): the command, the project
 * version from its jar's manifest and the Kafka version it runs with.
 */
public final class ManifestVersion implements IVersionProvider {

    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        return new String[] {spec.qualifiedName() + " " + of(spec.userObject().getClass()) + " (Kafka "
                + AppInfoParser.getVersion() + ")"};
    }

    /** The project version a class was packaged with. */
    public static String of(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "(development build, not run from its jar)" : version;
    }
}
