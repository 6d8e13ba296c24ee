package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import dev.modelserving.model.ModelVersions;
import dev.modelserving.proto.ModelDescriptor;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists the model versions on the models topic, and which is live, candidate and previous. */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Lists the versions of each dataType on the models topic and which one is live, which is the"
                + " candidate and which a rollback goes back to, as the servers read the topic.",
                "A server that refused a version serves the one before it: its /state/{dataType} says why."})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelsTopicAccess topic = new ModelsTopicAccess();

    @Option(names = "--data-type", description = "Only this dataType.")
    String dataType;

    @Override
    public Integer call() throws Exception {
        ModelVersions versions = topic.read();
        List<ModelVersions.DataType> types = dataType == null ? versions.dataTypes()
                : versions.dataType(dataType).map(List::of).orElse(List.of());
        PrintWriter out = spec.commandLine().getOut();
        if (types.isEmpty()) {
            out.println(dataType == null ? "no models on " + topic.modelsTopic()
                    : "no models for dataType '" + dataType + "' on " + topic.modelsTopic());
            return dataType == null ? 0 : 1;
        }
        for (ModelVersions.DataType t : types) {
            out.println(t.dataType() + ":");
            for (ModelVersions.Version v : t.versions()) {
                out.println("  " + line(t, v));
            }
            out.println("  live: " + label(t.live()) + ", candidate: " + label(t.candidate()) + ", previous: "
                    + label(t.previous()));
        }
        return 0;
    }

    private static String line(ModelVersions.DataType t, ModelVersions.Version v) {
        ModelDescriptor d = v.descriptor();
        String role = is(t.live(), v) ? "live" : is(t.candidate(), v) ? "candidate" : is(t.previous(), v)
                ? "previous" : "";
        return String.format(Locale.ROOT, "%-10s %-9s %-24s offset %-6d %s%s%s", role, d.getModeltype(),
                v.label(), v.offset(), MessageFormat.model(d).replaceFirst("^model '[^']*'( v\\S+)? \\S+, ", ""),
                d.getPublishedAtMs() == 0 ? "" : ", published " + Instant.ofEpochMilli(d.getPublishedAtMs()),
                d.getEvent() == ModelDescriptor.LifecycleEvent.PUBLISHED ? ""
                        : ", " + d.getEvent().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + (d.getEventReason().isEmpty() ? "" : " (" + d.getEventReason() + ")"));
    }

    private static boolean is(Optional<ModelVersions.Version> role, ModelVersions.Version v) {
        return role.isPresent() && role.get().key().equals(v.key());
    }

    private static String label(Optional<ModelVersions.Version> v) {
        return v.map(ModelVersions.Version::label).orElse("none");
    }
}
