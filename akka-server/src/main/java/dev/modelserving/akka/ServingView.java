package dev.modelserving.akka;

import akka.actor.ActorRef;
import akka.pattern.Patterns;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ServingStats;
import dev.modelserving.rest.ServingState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** What the REST API shows, whichever processor serves: read from the stage's view, or asked of the actors. */
interface ServingView {

    CompletionStage<Map<String, ServingStats>> allStats();

    CompletionStage<Optional<ServingStats>> stats(String dataType);

    CompletionStage<Map<String, CurrentModel>> models();

    /** The stage's view of its state; before the stage runs (or between restarts) nothing is served. */
    static ServingView of(Supplier<ServingState> stage) {
        return new ServingView() {
            @Override
            public CompletionStage<Map<String, ServingStats>> allStats() {
                ServingState s = stage.get();
                return CompletableFuture.completedFuture(s == null ? Map.of() : s.allStats());
            }

            @Override
            public CompletionStage<Optional<ServingStats>> stats(String dataType) {
                ServingState s = stage.get();
                return CompletableFuture.completedFuture(s == null ? Optional.empty() : s.stats(dataType));
            }

            @Override
            public CompletionStage<Map<String, CurrentModel>> models() {
                ServingState s = stage.get();
                return CompletableFuture.completedFuture(s == null ? Map.of() : s.servedModels());
            }
        };
    }

    /** The router's answers, gathered from its serving actors. */
    @SuppressWarnings("unchecked")
    static ServingView of(ActorRef manager, Duration timeout) {
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
        };
    }
}
