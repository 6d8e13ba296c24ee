package dev.modelserving.loader;

import dev.modelserving.broker.ManifestVersion;
import picocli.CommandLine.Command;

/** {@code publish-model --candidate}: a model that scores every record beside the live one, compared with it. */
@Command(name = "shadow", mixinStandardHelpOptions = true, versionProvider = ManifestVersion.class,
        description = {"Publishes one model as its dataType's candidate: every server scores each record with it"
                + " beside the live model and writes its outputs to the shadow topic (models_shadow), without serving"
                + " them; /state/{dataType} compares the two. Promote it with `loader promote`, or give it a rule"
                + " (--promote-after N with --min-agreement, --max-p99-ratio, ...) and it promotes itself.",
                "Otherwise as publish-model."})
final class ShadowCommand extends PublishModelCommand {

    @Override
    boolean asCandidate() {
        return true;
    }
}
