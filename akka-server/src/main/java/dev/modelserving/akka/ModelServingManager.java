package dev.modelserving.akka;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.Props;
import akka.actor.Terminated;
import akka.pattern.Patterns;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.CurrentModel;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.DataTypeGroup;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.ServingSummary;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The router of the {@code actor} processor: one {@link ModelServingActor} per dataType that has a model (or had
 * one, or is loading its first), created when its first model arrives (or, on start, for every dataType saved
 * under the state directory), each message forwarded to its dataType's actor; a batch of records is split by
 * dataType and its answers put back in order. Records of a dataType without an actor are skipped and counted here,
 * in a registry that never holds a model (bounded: {@link ModelRegistry#MAX_UNSERVED_DATA_TYPES} dataTypes by
 * name): a record never makes an actor. An actor whose first model is refused saves nothing and is stopped, its
 * refusal counted here. At most {@link ModelRegistry#maxDataTypes()} actors: a model for one dataType more takes
 * the place of a dataType whose model was removed, or is refused with the reason. State queries gather every
 * actor's answer and the counts kept here.
 */
final class ModelServingManager extends AbstractActor {

    /** The answer is {@code Map<String, ServingStats>} of every dataType. */
    enum GetAllStats { INSTANCE }

    /** The answer is {@code Map<String, CurrentModel>} of every dataType that has a model. */
    enum GetAllModels { INSTANCE }

    /** The answer is this dataType's {@code Optional<ServingStats>} (empty when never seen). */
    record GetStats(String dataType) {}

    private static final Duration ASK = Duration.ofSeconds(5);

    /** A dataType's actor, the updates sent to it, and what it last said of its model. */
    private static final class Child {
        final ActorRef actor;
        long updatesSent;
        long updatesApplied;
        boolean hasModel;
        boolean hadModel;

        Child(ActorRef actor, boolean saved) {
            this.actor = actor;
            this.hasModel = saved;
            this.hadModel = saved;
        }
    }

    private final Supplier<ModelRegistry> registries;
    private final Map<String, ModelRegistry> live;
    private final Path stateDir;
    private final ServingMetrics metrics;
    private final Map<String, Child> children = new HashMap<>();
    /** Retired actors not stopped yet, and their dataTypes. */
    private final Map<ActorRef, String> retiring = new HashMap<>();
    /** Per dataType whose retired actor has not stopped yet, the updates that came for it meanwhile. */
    private final Map<String, List<Waiting>> waitingForRetired = new HashMap<>();
    private long started;
    /** Counts the records and refused models of dataTypes without an actor; never holds a model. */
    private final ModelRegistry unserved;

    /**
     * @param registries makes each dataType actor's registry
     * @param live where each dataType actor shows its registry while it runs (the shared Kafka edge notes the
     *     partitions' offsets and shadows records through it)
     */
    static Props props(Supplier<ModelRegistry> registries, Map<String, ModelRegistry> live, Path stateDir,
            ServingMetrics metrics) {
        return Props.create(ModelServingManager.class,
                () -> new ModelServingManager(registries, live, stateDir, metrics));
    }

    private ModelServingManager(Supplier<ModelRegistry> registries, Map<String, ModelRegistry> live, Path stateDir,
            ServingMetrics metrics) {
        this.registries = registries;
        this.live = live;
        this.stateDir = stateDir;
        this.metrics = metrics;
        this.unserved = registries.get();
    }

    @Override
    public void preStart() throws IOException {
        Files.createDirectories(stateDir);
        try (Stream<Path> saved = Files.list(stateDir)) {
            for (Path dir : saved.filter(Files::isDirectory).toList()) {
                // others are not dataType directories
                SavedServing.dataTypeOf(dir).ifPresent(type -> children.put(type, new Child(start(type), true)));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void postStop() {
        unserved.close();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(ModelServingActor.Score.class, this::score)
                .match(ModelServingActor.ScoreBatch.class, this::scoreBatch)
                .match(ModelServingActor.Update.class, this::update)
                .match(ModelServingActor.ModelState.class, this::modelState)
                .match(Terminated.class, this::retired)
                .match(GetStats.class, g -> {
                    Child child = children.get(key(g.dataType()));
                    if (child != null) {
                        child.actor.forward(ModelServingActor.GetStats.INSTANCE, getContext());
                    } else {
                        getSender().tell(unserved.stats(g.dataType()), getSelf());
                    }
                })
                .matchEquals(GetAllStats.INSTANCE, g -> gatherStats())
                .matchEquals(GetAllModels.INSTANCE, g -> gather(ModelServingActor.GetModel.INSTANCE, Map.of()))
                .build();
    }

    private void score(ModelServingActor.Score s) {
        Child child = children.get(key(s.record().dataType()));
        if (child != null) {
            child.actor.forward(s, getContext());
        } else {
            getSender().tell(unserved.score(s.record()), getSelf());
        }
    }

    /**
     * A models-topic message: to its dataType's actor, made for it when there is a place. While the dataType's
     * retired actor is still deleting what it saved, the message waits for it to stop.
     */
    private void update(ModelServingActor.Update u) {
        String type = key(u.message().routingKey());
        List<Waiting> held = waitingForRetired.get(type);
        if (held != null) {
            held.add(new Waiting(u, getSender()));
            return;
        }
        Child child = children.get(type);
        if (child == null) {
            if (children.size() >= unserved.maxDataTypes() && !giveUpAPlace()) {
                LoadOutcome refused = unserved.refuse(type, modelName(u.message()), unserved.fullReason());
                metrics.model(refused);
                getSender().tell(refused, getSelf());
                return;
            }
            child = new Child(start(type), false);
            children.put(type, child);
        }
        child.updatesSent++;
        child.actor.forward(u, getContext());
    }

    /**
     * What an actor says of its model after an update. One that never had a model, with no update on its way to
     * it, is stopped and its refusal counted here: a refused model takes no place.
     */
    private void modelState(ModelServingActor.ModelState state) {
        Child child = children.get(state.dataType());
        if (child == null || !child.actor.equals(getSender())) {
            return; // an actor already retired
        }
        child.updatesApplied = state.updatesApplied();
        child.hasModel = state.hasModel();
        child.hadModel = state.hadModel();
        if (!child.hadModel && child.updatesApplied == child.updatesSent) {
            retire(state.dataType(), child);
            state.lastFailure().ifPresent(f -> unserved.recordRefusal(state.dataType(), f));
        }
    }

    /**
     * Retires the actor of a dataType whose model was removed (and has no update on its way), to make room; false
     * when every dataType with an actor still has a model or is getting one.
     */
    private boolean giveUpAPlace() {
        for (Map.Entry<String, Child> e : children.entrySet()) {
            Child c = e.getValue();
            if (!c.hasModel && c.updatesApplied == c.updatesSent) {
                retire(e.getKey(), c);
                return true;
            }
        }
        return false;
    }

    /**
     * Stops routing to an actor, then has it delete what it saved and stop (after what was sent to it before); the
     * dataType's updates wait until it has stopped, so that a new actor's files are never the ones it deletes.
     */
    private void retire(String dataType, Child child) {
        children.remove(dataType, child);
        retiring.put(child.actor, dataType);
        waitingForRetired.put(dataType, new ArrayList<>());
        getContext().watch(child.actor);
        child.actor.tell(ModelServingActor.Retire.INSTANCE, getSelf());
    }

    /** A retired actor has stopped: the updates held for its dataType go on, in order. */
    private void retired(Terminated t) {
        String dataType = retiring.remove(t.getActor());
        if (dataType == null) {
            return;
        }
        List<Waiting> held = waitingForRetired.remove(dataType);
        if (held != null) {
            held.forEach(w -> getSelf().tell(w.update(), w.sender()));
        }
    }

    /** An update held while its dataType's retired actor stops, and who asked. */
    private record Waiting(ModelServingActor.Update update, ActorRef sender) {}

    /** Every dataType's statistics: its actor's, with what was counted here before it had one. */
    private void gatherStats() {
        Map<String, ServingStats> here = Map.copyOf(unserved.allStats());
        List<CompletableFuture<Optional<Object>>> answers = new ArrayList<>();
        children.values().forEach(child -> answers.add(Patterns.ask(child.actor, ModelServingActor.GetStats.INSTANCE,
                ASK).thenApply(ModelServingManager::optional).toCompletableFuture()));
        CompletableFuture<Map<String, ServingStats>> all = CompletableFuture
                .allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
                    Map<String, ServingStats> actors = new TreeMap<>();
                    answers.forEach(a -> a.join().ifPresent(v -> actors.put(((ServingStats) v).dataType(),
                            (ServingStats) v)));
                    return ServingSummary.stats(List.of(actors, here));
                });
        Patterns.pipe(all, getContext().getDispatcher()).to(getSender());
    }

    private static String modelName(ModelMessage m) {
        if (m.value() == null) {
            return "(tombstone)";
        }
        try {
            return ModelDescriptor.parseFrom(m.value()).getName();
        } catch (InvalidProtocolBufferException e) {
            return "(undecodable)";
        }
    }

    /** Splits a batch by dataType, has each dataType's actor score its part, answers with all, in order. */
    private void scoreBatch(ModelServingActor.ScoreBatch batch) {
        Scored[] out = new Scored[batch.records().size()];
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (DataTypeGroup g : DataTypeGroup.of(batch.records())) {
            Child child = children.get(key(g.dataType()));
            if (child == null) {
                List<Scored> skipped = unserved.scoreBatch(g.records());
                for (int k = 0; k < g.indexes().size(); k++) {
                    out[g.indexes().get(k)] = skipped.get(k);
                }
                continue;
            }
            parts.add(Patterns.ask(child.actor, new ModelServingActor.ScoreBatch(g.records()), ASK)
                    .thenAcceptAsync(answer -> {
                        List<?> scored = (List<?>) answer;
                        for (int k = 0; k < g.indexes().size(); k++) {
                            out[g.indexes().get(k)] = (Scored) scored.get(k);
                        }
                    }, SameThread.EXECUTOR).toCompletableFuture());
        }
        CompletableFuture<List<Scored>> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> List.of(out));
        Patterns.pipe(all, getContext().getDispatcher()).to(getSender());
    }

    /**
     * Asks every dataType's actor and answers with dataType to each present answer, and {@code here} for the
     * dataTypes without one.
     */
    private void gather(Object question, Map<String, ?> here) {
        List<CompletableFuture<Optional<Object>>> answers = new ArrayList<>();
        children.values().forEach(child -> answers.add(Patterns.ask(child.actor, question, ASK)
                .thenApply(ModelServingManager::optional).toCompletableFuture()));
        CompletableFuture<Map<String, Object>> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, Object> out = new TreeMap<>(here);
                    answers.forEach(a -> a.join().ifPresent(v -> out.put(dataTypeOf(v), v)));
                    return out;
                });
        Patterns.pipe(all, getContext().getDispatcher()).to(getSender());
    }

    @SuppressWarnings("unchecked")
    private static Optional<Object> optional(Object answer) {
        return (Optional<Object>) answer;
    }

    private static String dataTypeOf(Object answer) {
        if (answer instanceof ServingStats s) {
            return s.dataType();
        }
        return ((CurrentModel) answer).model().dataType();
    }

    /** Starts a dataType's actor, named after its directory and a count (a retired one may not have stopped yet). */
    private ActorRef start(String dataType) {
        return getContext().actorOf(ModelServingActor.props(dataType, registries, live, stateDir, metrics),
                childName(dataType) + "-" + ++started);
    }

    private static String key(String dataType) {
        return dataType == null || dataType.isBlank() ? ModelRegistry.OTHER_DATA_TYPES : dataType;
    }

    /** Actor names are URL-safe: the name of the dataType's state directory. */
    private static String childName(String dataType) {
        return SavedServing.dirName(dataType);
    }
}
