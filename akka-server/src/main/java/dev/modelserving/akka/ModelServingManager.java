package dev.modelserving.akka;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.Props;
import akka.pattern.Patterns;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.DataTypeGroup;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The router of the {@code actor} processor: one {@link ModelServingActor} per dataType, created when its dataType
 * first shows up (or, on start, for every dataType saved under the state directory), each message forwarded to its
 * dataType's actor; a batch of records is split by dataType and its answers put back in order. State queries
 * gather every actor's answer.
 */
final class ModelServingManager extends AbstractActor {

    /** The answer is {@code Map<String, ServingStats>} of every dataType. */
    enum GetAllStats { INSTANCE }

    /** The answer is {@code Map<String, CurrentModel>} of every dataType that has a model. */
    enum GetAllModels { INSTANCE }

    /** The answer is this dataType's {@code Optional<ServingStats>} (empty when never seen). */
    record GetStats(String dataType) {}

    private static final Duration ASK = Duration.ofSeconds(5);

    private final Supplier<ModelRegistry> registries;
    private final Map<String, ModelRegistry> live;
    private final Path stateDir;
    private final ServingMetrics metrics;

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
    }

    @Override
    public void preStart() throws IOException {
        Files.createDirectories(stateDir);
        try (Stream<Path> saved = Files.list(stateDir)) {
            for (Path dir : saved.filter(Files::isDirectory).toList()) {
                SavedServing.dataTypeOf(dir).ifPresent(this::actorFor); // others are not dataType directories
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(ModelServingActor.Score.class, s -> actorFor(s.record().dataType()).forward(s, getContext()))
                .match(ModelServingActor.ScoreBatch.class, this::scoreBatch)
                .match(ModelServingActor.Update.class, u -> actorFor(u.message().routingKey())
                        .forward(u, getContext()))
                .match(GetStats.class, g -> {
                    Optional<ActorRef> actor = getContext().findChild(childName(g.dataType()));
                    if (actor.isPresent()) {
                        actor.get().forward(ModelServingActor.GetStats.INSTANCE, getContext());
                    } else {
                        getSender().tell(Optional.empty(), getSelf());
                    }
                })
                .matchEquals(GetAllStats.INSTANCE, g -> gather(ModelServingActor.GetStats.INSTANCE))
                .matchEquals(GetAllModels.INSTANCE, g -> gather(ModelServingActor.GetModel.INSTANCE))
                .build();
    }

    /** Splits a batch by dataType, has each dataType's actor score its part, answers with all, in order. */
    private void scoreBatch(ModelServingActor.ScoreBatch batch) {
        Scored[] out = new Scored[batch.records().size()];
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (DataTypeGroup g : DataTypeGroup.of(batch.records())) {
            parts.add(Patterns.ask(actorFor(g.dataType()), new ModelServingActor.ScoreBatch(g.records()), ASK)
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

    /** Asks every dataType's actor and answers with dataType to each present answer. */
    private void gather(Object question) {
        List<CompletableFuture<Optional<Object>>> answers = new ArrayList<>();
        getContext().getChildren().forEach(child -> answers.add(Patterns.ask(child, question, ASK)
                .thenApply(ModelServingManager::optional).toCompletableFuture()));
        CompletableFuture<Map<String, Object>> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, Object> out = new TreeMap<>();
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

    private ActorRef actorFor(String dataType) {
        String type = dataType == null || dataType.isBlank() ? ModelRegistry.OTHER_DATA_TYPES : dataType;
        String name = childName(type);
        return getContext().findChild(name).orElseGet(() -> {
            // As the registry does: past its cap of dataTypes, the rest share one actor.
            if (countChildren() >= ModelRegistry.MAX_DATA_TYPES && !type.equals(ModelRegistry.OTHER_DATA_TYPES)) {
                return actorFor(ModelRegistry.OTHER_DATA_TYPES);
            }
            return getContext().actorOf(ModelServingActor.props(type, registries, live, stateDir, metrics), name);
        });
    }

    private int countChildren() {
        int n = 0;
        for (ActorRef ignored : getContext().getChildren()) {
            n++;
        }
        return n;
    }

    /** Actor names are URL-safe: the name of the dataType's state directory. */
    private static String childName(String dataType) {
        return SavedServing.dirName(dataType);
    }
}
