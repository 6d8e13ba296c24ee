package dev.modelserving.rest;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import java.util.Map;
import java.util.Optional;

/**
 * What a server instance serves, as the shared REST API shows it: one registry's view for a server with one
 * registry, a summary for a server with several (one per Kafka Streams task).
 */
public interface ServingState {

    /** Serving statistics of every dataType seen, sorted by dataType. */
    Map<String, ServingStats> allStats();

    /** Statistics of one dataType, if it has been seen. */
    default Optional<ServingStats> stats(String dataType) {
        return Optional.ofNullable(allStats().get(dataType));
    }

    /** dataType to the model serving it and since when. */
    Map<String, CurrentModel> servedModels();

    /** This state with the records whose outcome could not be written, per dataType. */
    default ServingState with(Delivery delivery) {
        ServingState state = this;
        return new ServingState() {
            @Override
            public Map<String, ServingStats> allStats() {
                return delivery.addTo(state.allStats());
            }

            @Override
            public Optional<ServingStats> stats(String dataType) {
                Optional<ServingStats> stats = state.stats(dataType).map(delivery::addTo);
                return stats.isPresent() ? stats : Optional.ofNullable(allStats().get(dataType));
            }

            @Override
            public Map<String, CurrentModel> servedModels() {
                return state.servedModels();
            }
        };
    }

    /** The view of one registry. */
    static ServingState of(ModelRegistry registry) {
        return new ServingState() {
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
        };
    }
}
