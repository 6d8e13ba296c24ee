package dev.modelserving.reactive;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ServingStats;
import dev.modelserving.rest.ServingState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/** The models this instance serves: the model library's registry, built from the configuration. */
@ApplicationScoped
public class ModelHolder implements ServingState {

    private final ModelRegistry registry;

    ModelHolder(ModelServerConfig config) {
        LoadingPolicy policy = new LoadingPolicy(config.maxModelBytes(), config.modelRoots().orElse(java.util.List.of()),
                config.workDir());
        this.registry = new ModelRegistry(new ModelFactory(policy));
    }

    public ModelRegistry registry() {
        return registry;
    }

    @Override
    public Map<String, ServingStats> allStats() {
        return registry.allStats();
    }

    @Override
    public Optional<ServingStats> stats(String dataType) {
        return registry.stats(dataType);
    }

    @Override
    public Map<String, CurrentModel> servedModels() {
        return registry.servedModels();
    }

    @PreDestroy
    void close() {
        registry.close();
    }
}
