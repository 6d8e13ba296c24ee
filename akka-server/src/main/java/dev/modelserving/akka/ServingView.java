package dev.modelserving.akka;

import akka.actor.ActorRef;
import akka.pattern.Patterns;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ServingStats;
import dev.modelserving.rest.ServingState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * What is served, whichever processor serves it: the models and statistics the REST API shows, and whether the
 * models topic has been caught up with (health). The stage answers at once from its registry; the actor processor's
 * router is asked.
 */
interface ServingView {

    CompletionStage<Map<String, ServingStats>> allStats();

    CompletionStage<Optional<ServingStats>> stats(String dataType);

    CompletionStage<Map<String, CurrentModel>> models();

    boolean caughtUp();

    /** This view with the records whose outcome could not be written, per dataType. */
    default ServingView with(Delivery delivery) {
        ServingView view = this;
        return new ServingView() {
            @Override
            public CompletionStage<Map<String, ServingStats>> allStats() {
                return view.allStats().thenApply(delivery::addTo);
            }

            @Override
            public CompletionStage<Optional<ServingStats>> stats(String dataType) {
                return view.stats(dataType).thenCompose(stats -> stats.isPresent()
                        ? CompletableFuture.completedFuture(stats.map(delivery::addTo))
                        : allStats().thenApply(all -> Optional.ofNullable(all.get(dataType))));
            }

            @Override
            public CompletionStage<Map<String, CurrentModel>> models() {
                return view.models();
            }

            @Override
            public boolean caughtUp() {
                return view.caughtUp();
            }
        };
    }

    /** A view read straight from a registry's state (the stage's). */
    static ServingView of(ServingState state, BooleanSupplier caughtUp) {
        return new ServingView() {
            @Override
            public CompletionStage<Map<String, ServingStats>> allStats() {
                return CompletableFuture.completedFuture(state.allStats());
            }

            @Override
            public CompletionStage<Optional<ServingStats>> stats(String dataType) {
                return CompletableFuture.completedFuture(state.stats(dataType));
            }

            @Override
            public CompletionStage<Map<String, CurrentModel>> models() {
                return CompletableFuture.completedFuture(state.servedModels());
            }

            @Override
            public boolean caughtUp() {
                return caughtUp.getAsBoolean();
            }
        };
    }

    /** Before a processor runs: nothing served, nothing caught up. */
    static ServingView none() {
        return of(new ServingState() {
            @Override
            public Map<String, ServingStats> allStats() {
                return Map.of();
            }

            @Override
            public Map<String, CurrentModel> servedModels() {
                return Map.of();
            }
        }, () -> false);
    }

    /** The router's answers, gathered from its serving actors. */
    @SuppressWarnings("unchecked")
    static ServingView of(ActorRef manager, Duration timeout, BooleanSupplier caughtUp) {
        return new ServingView() {
            @Override
            public CompletionStage<Map<String, ServingStats>> allStats() {
                return Patterns.ask(manager, ModelServingManager.GetAllStats.INSTANCE, timeout)
                        .thenApply(a -> (Map<String, ServingStats>) a);
            }

            @Override
            public CompletionStage<Optional<ServingStats>> stats(String dataType) {
                return Patterns.ask(manager, new ModelServingManager.GetStats(dataType), timeout)
                        .thenApply(a -> (Optional<ServingStats>) a);
            }

            @Override
            public CompletionStage<Map<String, CurrentModel>> models() {
                return Patterns.ask(manager, ModelServingManager.GetAllModels.INSTANCE, timeout)
                        .thenApply(a -> (Map<String, CurrentModel>) a);
            }

            @Override
            public boolean caughtUp() {
                return caughtUp.getAsBoolean();
            }
        };
    }
}
