package dev.modelserving.akka;

import akka.japi.Pair;
import akka.stream.Attributes;
import akka.stream.FanInShape2;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractGraphStageWithMaterializedValue;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStageLogic;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The {@code stage} processor: one stage with a models inlet and a data inlet. It swaps in each model that arrives
 * and scores each batch of records that arrives with their dataTypes' current models (one model call per dataType
 * in the batch); what becomes of the batch's records leaves through the outlet as one list, in the batch's order,
 * and the batches in the order they came. All of its state (the live models and their statistics) lives in its
 * logic; the materialized value is a read-only view of it for the REST API.
 *
 * <p>Records wait until the models inlet says it has caught up with the models topic ({@link ModelMessage#CAUGHT_UP}),
 * so a (re)started stream never skips records that a model on the topic would have scored. A model is loaded off
 * the stream's thread while records keep being scored by the current one; the next models message is pulled only
 * when the load is done, so models go live in topic order.
 */
final class ModelServingStage<P>
        extends AbstractGraphStageWithMaterializedValue<FanInShape2<ModelMessage, List<DataRecord<P>>,
        List<Outcome<P>>>, ServingView> {

    private final Inlet<ModelMessage> models = Inlet.create("ModelServingStage.models");
    private final Inlet<List<DataRecord<P>>> data = Inlet.create("ModelServingStage.data");
    private final Outlet<List<Outcome<P>>> out = Outlet.create("ModelServingStage.out");
    private final FanInShape2<ModelMessage, List<DataRecord<P>>, List<Outcome<P>>> shape =
            new FanInShape2<>(models, data, out);

    private final Supplier<ModelRegistry> registries;
    private final ServingMetrics metrics;
    private final RecordScoring scoring;
    private final Executor loading;

    /** @param registries makes the stage's registry (each materialization has its own) */
    ModelServingStage(Supplier<ModelRegistry> registries, ServingMetrics metrics, RecordScoring scoring,
            Executor loading) {
        this.registries = registries;
        this.metrics = metrics;
        this.scoring = scoring;
        this.loading = loading;
    }

    @Override
    public FanInShape2<ModelMessage, List<DataRecord<P>>, List<Outcome<P>>> shape() {
        return shape;
    }

    @Override
    public Pair<GraphStageLogic, ServingView> createLogicAndMaterializedValuePair(Attributes attributes) {
        Logic logic = new Logic();
        return Pair.create(logic, ServingView.of(ServingState.of(logic.registry), () -> logic.caughtUp));
    }

    private final class Logic extends GraphStageLogic {

        private final ModelRegistry registry = registries.get();
        private volatile boolean caughtUp;
        private CompletableFuture<?> pending = CompletableFuture.completedFuture(null);
        private AsyncCallback<LoadOutcome> loaded;

        Logic() {
            super(shape);
            setHandler(models, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ModelMessage m = grab(models);
                    if (m.isCaughtUp()) {
                        caughtUp = true;
                        pullData();
                        pull(models);
                        return;
                    }
                    pending = CompletableFuture.supplyAsync(() -> m.applyTo(registry), loading)
                            .whenComplete((outcome, error) -> loaded.invoke(error == null ? outcome
                                    : registry.refuse(m.routingKey(), "(unloadable)", error.toString())));
                }

                @Override
                public void onUpstreamFinish() {
                    // no more models (a test's source, or a shutdown): serve on with the ones there are
                    caughtUp = true;
                    pullData();
                }
            });
            setHandler(data, new AbstractInHandler() {
                @Override
                public void onPush() {
                    // a batch is taken only when the outlet wants one, so its outcomes leave at once
                    push(out, scoring.score(grab(data), registry));
                }
            });
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    pullData();
                }
            });
        }

        @Override
        public void preStart() {
            loaded = createAsyncCallback(outcome -> {
                metrics.model(outcome);
                if (!isClosed(models)) {
                    pull(models);
                }
            });
            pull(models);
        }

        private void pullData() {
            if (caughtUp && isAvailable(out) && !hasBeenPulled(data) && !isClosed(data)) {
                pull(data);
            }
        }

        @Override
        public void postStop() {
            // a model still loading is closed with the others once it is in
            pending.whenComplete((outcome, error) -> registry.close());
        }
    }
}
