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

/** Makes a dataType's candidate its live model on every server, by publishing it again to serve. */
@Command(name = "promote", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Makes the candidate of a dataType its live model on every server and instance: its message"
                + " is published again on the models topic to serve, marked as a promotion. Servers that run the"
                + " candidate already swap it in without loading it again."})
final class PromoteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelsTopicAccess topic = new ModelsTopicAccess();

    @Option(names = "--data-type", required = true, description = "The dataType whose candidate goes live.")
    String dataType;

    @Override
    public Integer call() throws Exception {
        Optional<ModelVersions.DataType> type = topic.read().dataType(dataType);
        Optional<ModelVersions.Version> candidate = type.flatMap(ModelVersions.DataType::candidate);
        if (candidate.isEmpty()) {
            spec.commandLine().getErr().println("loader: nothing promoted: dataType '" + dataType
                    + "' has no candidate on " + topic.modelsTopic() + " (publish one with `loader shadow`)");
            return LoaderMain.BAD_INPUT;
        }
        String live = type.get().live().map(ModelVersions.Version::label).orElse("none");
        ModelsTopic.Message again = ModelsTopic.publishAgain(candidate.get().descriptor(),
                ModelDescriptor.LifecycleEvent.PROMOTED, "over " + live + ", by " + ModelsTopicAccess.who());
        RecordMetadata sent = topic.publish(again);
        spec.commandLine().getOut().printf("promoted %s over %s for dataType '%s': published %s at %s[%d]@%d%n",
                candidate.get().label(), live, dataType, again.key(), sent.topic(), sent.partition(), sent.offset());
        return 0;
    }
}
