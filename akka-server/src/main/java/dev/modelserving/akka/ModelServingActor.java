package dev.modelserving.akka;

import akka.actor.AbstractActorWithTimers;
import akka.actor.ActorRef;
import akka.actor.Props;
import akka.actor.Status;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.pattern.Patterns;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.Features;
import dev.modelserving.model.LoadFailure;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Serves one dataType: scores its records with its current model and keeps its statistics. Its models (the live
 * model's descriptor, the previous version's and the candidate's) are saved when a message changes them, before
 * the update is answered: a save
 * that fails answers with the failure, so the models stream does not move past the message and applies it again.
 * The statistics are saved when a model changes, at most every {@value #SAVE_EVERY_MS} ms while records are
 * scored, and when the actor stops. A new actor on the same directory starts with the saved model and statistics.
 * An actor whose dataType has never had a model here saves nothing; one the router retires deletes what it saved.
 * After each update, and once it has started, it tells the router whether its dataType has a model.
 */
final class ModelServingActor extends AbstractActorWithTimers {

    static final long SAVE_EVERY_MS = 1_000;

    /** Score one record of this dataType; the answer is its {@link Scored}. */
    record Score(Features record) {}

    /** Score records (of this dataType, for an actor); the answer is their {@code List<Scored>}, in order. */
    record ScoreBatch(List<Features> records) {}

    /** Apply a models-topic message; the answer is the {@link LoadOutcome}. */
    record Update(ModelMessage message) {}

    /** The answer is this dataType's {@code Optional<ServingStats>}. */
    enum GetStats { INSTANCE }

    /** The answer is this dataType's {@code Optional<CurrentModel>}. */
    enum GetModel { INSTANCE }

    private enum Save { INSTANCE }

    /** From the manager: the dataType gives its place up; what is saved of it is deleted and the actor stops. */
    enum Retire { INSTANCE }

    /**
     * To the manager, after each update: how many updates this actor has applied, and whether its dataType has a
     * model now and has ever had one here (one that never had a model saves nothing and gives its place up).
     */
    record ModelState(String dataType, long updatesApplied, boolean hasModel, boolean hadModel,
            Optional<LoadFailure> lastFailure) {}

    private record Applied(ModelMessage message, LoadOutcome outcome, ActorRef replyTo,
            ModelRegistry into) {}

    private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
    private final String dataType;
    private final ModelRegistry registry;
    private final Map<String, ModelRegistry> live;
    private final SavedServing saved;
    private final ServingMetrics metrics;
    private final Executor loading;
    private CompletableFuture<?> pending = CompletableFuture.completedFuture(null);
    private boolean unsaved;
    private long updatesApplied;
    /** Whether the actor started from what was saved of its dataType. */
    private boolean restored;
    private boolean retired;

    static Props props(String dataType, Supplier<ModelRegistry> registries, Map<String, ModelRegistry> live,
            Path stateDir, ServingMetrics metrics) {
        return Props.create(ModelServingActor.class,
                () -> new ModelServingActor(dataType, registries, live, stateDir, metrics));
    }

    private ModelServingActor(String dataType, Supplier<ModelRegistry> registries, Map<String, ModelRegistry> live,
            Path stateDir, ServingMetrics metrics) {
        this.dataType = dataType;
        this.registry = registries.get();
        this.live = live;
        this.saved = new SavedServing(stateDir, dataType);
        this.metrics = metrics;
        this.loading = getContext().getSystem().dispatchers().lookup("akka.actor.default-blocking-io-dispatcher");
    }

    @Override
    public void preStart() {
        try {
            Optional<ServingStats> stats = saved.stats();
            ModelRegistry.SavedModels models = saved.models();
            if (stats.isPresent() || models.live() != null) {
                restored = true;
                LoadOutcome outcome = registry.restore(dataType, models, stats.orElse(emptyStats()));
                log.info("dataType '{}' restored from {}: {}", dataType, saved.dir(), outcome.message());
            }
        } catch (IOException | RuntimeException e) {
            log.warning("dataType '{}': the saved state in {} could not be read ({}); starting without it", dataType,
                    saved.dir(), e.toString());
        }
        getTimers().startTimerWithFixedDelay(Save.INSTANCE, Save.INSTANCE, Duration.ofMillis(SAVE_EVERY_MS));
        live.put(dataType, registry);
        // what was restored: a dataType saved here has had a model (one whose model was removed may give its place
        // up); a new actor has not, yet
        getContext().getParent().tell(new ModelState(dataType, 0, registry.current(dataType).isPresent(), restored,
                Optional.empty()), getSelf());
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Score.class, s -> {
                    Scored scored = registry.score(s.record());
                    unsaved = true;
                    getSender().tell(scored, getSelf());
                })
                .match(ScoreBatch.class, b -> {
                    List<Scored> scored = registry.scoreBatch(b.records());
                    unsaved = true;
                    getSender().tell(scored, getSelf());
                })
                .match(Update.class, u -> {
                    // Loading runs off the actor: records keep being scored by the current model meanwhile.
                    ActorRef replyTo = getSender();
                    ModelRegistry into = registry;
                    CompletableFuture<Applied> load = CompletableFuture.supplyAsync(() -> u.message().applyTo(into),
                                    loading)
                            .handle((outcome, error) -> new Applied(u.message(), error == null ? outcome
                                    : into.refuse(u.message().routingKey(), "(unloadable)", error.toString()),
                                    replyTo, into));
                    pending = load;
                    Patterns.pipe(load, getContext().getDispatcher()).to(getSelf());
                })
                .match(Applied.class, a -> {
                    if (a.into() != registry) {
                        // loaded by an earlier incarnation of this actor (restarted meanwhile): load it again here
                        getSelf().tell(new Update(a.message()), a.replyTo());
                        return;
                    }
                    metrics.model(a.outcome());
                    try {
                        saveModel(a.outcome(), a.message());
                        tellModelState(); // before the answer: the manager knows it before the next update
                        a.replyTo().tell(a.outcome(), getSelf());
                    } catch (IOException | UncheckedIOException e) {
                        // the model serves, but a restart would not have it: the models stream must not move past it
                        log.error("dataType '{}': could not save its live model ({}); the message is applied again",
                                dataType, e.getMessage());
                        tellModelState();
                        a.replyTo().tell(new Status.Failure(e), getSelf());
                    }
                })
                .matchEquals(Retire.INSTANCE, r -> {
                    retired = true;
                    try {
                        saved.delete();
                    } catch (IOException e) {
                        log.warning("dataType '{}': could not delete {} ({}); it is served again after a restart",
                                dataType, saved.dir(), e.toString());
                    }
                    getContext().stop(getSelf());
                })
                .matchEquals(GetStats.INSTANCE, g -> getSender().tell(registry.stats(dataType), getSelf()))
                .matchEquals(GetModel.INSTANCE, g -> getSender().tell(
                        Optional.ofNullable(registry.servedModels().get(dataType)), getSelf()))
                .matchEquals(Save.INSTANCE, s -> {
                    if (unsaved) {
                        saveStats();
                    }
                })
                .build();
    }

    /**
     * Saves the models of the dataType as they are now (the live one, the previous one and the candidate) unless
     * the message was refused, then the statistics; throws when the models could not be saved.
     */
    private void saveModel(LoadOutcome outcome, ModelMessage message) throws IOException {
        if (!registry.hasHadAModel(dataType)) {
            return; // nothing to serve after a restart: no directory, no place taken
        }
        if (!(outcome instanceof LoadOutcome.Rejected)) {
            saved.saveModels(registry.savedModels(dataType));
        }
        saveStats();
    }

    /** Tells the manager that one more update is applied, and what the dataType's model is now. */
    private void tellModelState() {
        updatesApplied++;
        getContext().getParent().tell(new ModelState(dataType, updatesApplied, registry.current(dataType).isPresent(),
                registry.hasHadAModel(dataType), registry.stats(dataType).map(ServingStats::lastLoadFailure)),
                getSelf());
    }

    private void saveStats() {
        if (retired || !registry.hasHadAModel(dataType)) {
            unsaved = false;
            return;
        }
        try {
            registry.stats(dataType).ifPresent(saved::saveStats);
            unsaved = false;
        } catch (UncheckedIOException e) {
            log.error("dataType '{}': could not save its statistics ({})", dataType, e.getMessage());
        }
    }

    @Override
    public void postStop() {
        live.remove(dataType, registry);
        saveStats();
        ModelRegistry closing = registry;
        pending.whenComplete((outcome, error) -> closing.close()); // a model still loading is closed too
    }

    private ServingStats emptyStats() {
        return ServingStats.none(dataType);
    }
}
