package dev.modelserving.reactive;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ModelRegistrySource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/** The models this instance serves: the model library's registry, built from the configuration. */
@ApplicationScoped
public class ModelHolder implements ModelRegistrySource {

    private final ModelRegistry registry;

    ModelHolder(ModelServerConfig config) {
        LoadingPolicy policy = new LoadingPolicy(config.maxModelBytes(), config.modelRoots().orElse(java.util.List.of()),
                config.workDir());
        this.registry = new ModelRegistry(new ModelFactory(policy));
    }

    @Override
    public ModelRegistry registry() {
        return registry;
    }

    @PreDestroy
    void close() {
        registry.close();
    }
}
