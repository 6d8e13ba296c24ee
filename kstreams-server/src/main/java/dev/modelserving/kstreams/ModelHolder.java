package dev.modelserving.kstreams;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ModelRegistrySource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The registry behind this instance's global model store: the store applies the models topic to it, the REST API
 * reads it (a global store is complete on every instance, so no query leaves the instance).
 */
@ApplicationScoped
public class ModelHolder implements ModelRegistrySource {

    private final ModelRegistry registry;

    ModelHolder(@ConfigProperty(name = "model-server.max-model-bytes", defaultValue = "67108864") long maxModelBytes,
            @ConfigProperty(name = "model-server.work-dir", defaultValue = "${java.io.tmpdir}/model-serving") Path workDir) {
        this.registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withMaxModelBytes(maxModelBytes)
                .withWorkDir(workDir)));
    }

    @Override
    public ModelRegistry registry() {
        return registry;
    }
}
