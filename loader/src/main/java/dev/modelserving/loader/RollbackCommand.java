package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.model.ModelVersions;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.proto.ModelDescriptor;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Makes the previous (or a named) version live again on every server, by publishing it again. */
@Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Makes the previous version of a dataType (or the one given with --to) live on every server"
                + " and instance: its message is published again on the models topic, marked as a rollback."})
final class RollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelsTopicAccess topic = new ModelsTopicAccess();

    @Option(names = "--data-type", required = true, description = "The dataType to roll back.")
    String dataType;

    @Option(names = "--to", paramLabel = "VERSION", description = "The version to go back to (default: the one live before the live one).")
    String to;

    @Override
    public Integer call() throws Exception {
        Optional<ModelVersions.DataType> type = topic.read().dataType(dataType);
        if (type.isEmpty() || type.get().live().isEmpty()) {
            return refuse("dataType '" + dataType + "' has no live version on " + topic.modelsTopic());
        }
        ModelVersions.Version live = type.get().live().get();
        Optional<ModelVersions.Version> target = to == null ? type.get().previous()
                : type.get().versions().stream().filter(v -> v.version().equals(to) && !v.descriptor().getCandidate())
                        .reduce((a, b) -> b);
        if (target.isEmpty()) {
            return refuse(to == null ? "dataType '" + dataType + "' has no previous version to go back to (give one"
                    + " with --to; `loader models --data-type " + dataType + "` lists them)"
                    : "version " + to + " of dataType '" + dataType + "' is not on " + topic.modelsTopic());
        }
        if (target.get().version().equals(live.version())) {
            return refuse(target.get().label() + " is already live");
        }
        ModelsTopic.Message again = ModelsTopic.publishAgain(target.get().descriptor(),
                ModelDescriptor.LifecycleEvent.ROLLED_BACK, "from " + live.label() + ", by " + ModelsTopicAccess.who());
        RecordMetadata sent = topic.publish(again);
        spec.commandLine().getOut().printf("rolled back dataType '%s' from %s to %s: published %s again at %s[%d]@%d%n",
                dataType, live.label(), target.get().label(), again.key(), sent.topic(), sent.partition(),
                sent.offset());
        return 0;
    }

    private int refuse(String why) {
        spec.commandLine().getErr().println("loader: nothing rolled back: " + why);
        return LoaderMain.BAD_INPUT;
    }
}
