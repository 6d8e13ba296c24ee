package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.Lifecycle;
import dev.modelserving.model.LifecycleCodec;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The DSL variants' processor, one per task. The global store of published descriptors (every instance has all of
 * models_models, restored before any task runs) says which model each dataType should have; the task keeps its
 * live models in its own store and brings them in line with the global one when it starts (before its first
 * record: a task never scores a record while a model it should have is still on its way), and then before a record
 * and every {@value #SYNC_MS} ms whenever the global store has taken a message since (a counter compare). Those
 * later models load off the stream thread, one at a time and in topic order, while the task scores on with the
 * models it has; each swaps in between two records, and is logged to the task's store on the stream thread. What
 * the task's start applied is logged once the task runs (its first record or punctuation): under exactly-once a
 * write opens the thread's transaction, which the start's other loads (a task waits for each, up to the model load
 * timeout, and a thread starts its tasks one after another) could otherwise keep open past its timeout.
 */
final class ServingProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final long SYNC_MS = 100;
    /** Where the tasks' models load (a load waits at most the model load timeout; the threads end when idle). */
    private static final ExecutorService LOADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "task-model-load");
        t.setDaemon(true);
        return t;
    });

    private final StoreVariant variant;
    private final LocalServing serving;
    private final ServingMetrics metrics;
    private final Scoring scoring;
    private ProcessorContext<byte[], byte[]> context;
    private ReadOnlyKeyValueStore<String, byte[]> published;
    private TaskModels models;
    /** The global store's message count when this task last synced. */
    private long syncedAt = -1;
    /** Per dataType, the offset of the published message last taken here (applied, loading, or waiting). */
    private final Map<String, Long> applied = new HashMap<>();
    /** Published messages taken but not applied yet, in topic order. */
    private final Deque<PublishedModels.Entry> waiting = new ArrayDeque<>();
    /** The message loading now, off the stream thread, and its load. */
    private PublishedModels.Entry loadingEntry;
    private byte[] loadingDescriptor;
    /** What the task's start applied, to be written to its store once it runs. */
    private final Deque<Runnable> unrecorded = new ArrayDeque<>();
    private CompletableFuture<LoadOutcome> loading;

    ServingProcessor(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Batching batching) {
        this.variant = variant;
        this.serving = serving;
        this.metrics = metrics;
        this.scoring = new Scoring(metrics, serving, batching);
    }

    /** A task's live models: where they are applied and what scores. */
    private interface TaskModels {
        ModelRegistry registry();

        /** The descriptor (or null: no model) each dataType's live model came from, as the task store has it. */
        Map<String, byte[]> live();

        /** Applies a models-topic message (its key, its descriptor or null); safe off the stream thread. */
        LoadOutcome load(String key, byte[] descriptor);

        /** Records in the task's store what {@link #load} did to the dataType; on the stream thread. */
        void record(String dataType, String key, byte[] descriptor, LoadOutcome outcome);

        void close();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        // Kafka Streams may close and re-initialise this same object (a task revived after an aborted
        // transaction): what was applied then may not be in the restored store now.
        applied.clear();
        syncedAt = -1;
        this.context = context;
        this.published = context.getStateStore(StreamNames.PUBLISHED_MODELS);
        int partition = context.taskId().partition();
        models = variant == StoreVariant.CUSTOM
                ? new CustomModels(context.getStateStore(StreamNames.MODEL_STORE), serving, partition)
                : new StandardModels(context.getStateStore(StreamNames.MODEL_STATE_STORE), serving, partition);
        waiting.clear();
        unrecorded.clear();
        loading = null;
        loadingEntry = null;
        loadingDescriptor = null;
        startFrom(models.live());
        syncAll();
        applyWaiting(true);
        context.schedule(Duration.ofMillis(SYNC_MS), PunctuationType.WALL_CLOCK_TIME, now -> {
            recordStarted();
            syncIfPublished();
            applyWaiting(false);
        });
        scoring.init(context, () -> models.registry());
    }

    /** Writes to the task's store what its start applied, in order; on the stream thread, once the task runs. */
    private void recordStarted() {
        Runnable r;
        while ((r = unrecorded.poll()) != null) {
            r.run();
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        recordStarted();
        syncIfPublished();
        applyWaiting(false);
        scoring.process(record);
    }

    /**
     * A task starting with restored models skips what is published up to the message its live model came from;
     * anything after it is applied in order (all before the task's first record).
     */
    private void startFrom(Map<String, byte[]> live) {
        for (PublishedModels.Entry e : PublishedModels.all(published)) {
            byte[] mine = live.get(e.dataType());
            if (mine != null && e.holds(mine)) {
                applied.put(e.dataType(), e.offset());
            }
        }
    }

    /** Takes every published message this task has not taken yet, in topic order, to be applied. */
    private void syncAll() {
        long count = serving.publishedCount();
        PublishedModels.all(published).forEach(this::take);
        syncedAt = count;
    }

    /** Syncs when the global store has taken a message since the last sync (one volatile read). */
    private void syncIfPublished() {
        if (serving.publishedCount() != syncedAt) {
            syncAll();
        }
    }

    private void take(PublishedModels.Entry e) {
        Long last = applied.get(e.dataType());
        if (last != null && e.offset() <= last) {
            return;
        }
        applied.put(e.dataType(), e.offset());
        if (e.removed() && last == null && models.live().get(e.dataType()) == null) {
            return; // removing what this task never had
        }
        waiting.add(e);
    }

    /**
     * Applies the messages taken, in order: a finished load is recorded, the next one starts off the stream thread.
     * {@code wait}: the task is starting, so each load is waited for (bounded by the model load timeout).
     */
    private void applyWaiting(boolean wait) {
        while (true) {
            if (loading != null) {
                if (!wait && !loading.isDone()) {
                    return;
                }
                LoadOutcome outcome = loading.join();
                PublishedModels.Entry done = loadingEntry;
                byte[] descriptor = loadingDescriptor;
                if (wait) {
                    // the task is starting: its store is written once it runs (a write here would open the
                    // transaction, under exactly-once, while later loads of the start keep it waiting)
                    unrecorded.add(() -> models.record(done.dataType(), done.key(), descriptor, outcome));
                } else {
                    recordStarted();
                    models.record(done.dataType(), done.key(), descriptor, outcome);
                }
                metrics.model(outcome);
                loading = null;
                loadingEntry = null;
                loadingDescriptor = null;
            }
            PublishedModels.Entry next = waiting.poll();
            if (next == null) {
                return;
            }
            TaskModels target = models;
            loadingEntry = next;
            byte[] descriptor = next.descriptor(); // the one copy of the message this task makes
            loadingDescriptor = descriptor;
            loading = CompletableFuture.supplyAsync(() -> target.load(next.key(), descriptor), LOADS);
        }
    }

    @Override
    public void close() {
        models.close();
    }

    /** The {@code custom} variant: our own store holds the live models and logs what it accepts. */
    private static final class CustomModels implements TaskModels {
        private final ModelStore store;
        private final LocalServing serving;
        private final int partition;

        CustomModels(ModelStore store, LocalServing serving, int partition) {
            this.store = store;
            this.serving = serving;
            this.partition = partition;
            serving.serving(partition, store.registry());
        }

        @Override
        public ModelRegistry registry() {
            return store.registry();
        }

        @Override
        public Map<String, byte[]> live() {
            return store.live();
        }

        @Override
        public LoadOutcome load(String key, byte[] descriptor) {
            return store.load(key, descriptor);
        }

        @Override
        public void record(String dataType, String key, byte[] descriptor, LoadOutcome outcome) {
            store.logChange(key, descriptor, outcome);
        }

        @Override
        public void close() {
            serving.stopped(partition, store.registry());
        }
    }

    /**
     * The {@code standard} variant: Kafka Streams' key-value store holds, per dataType, the message its live model
     * came from (under the dataType), the descriptors of the version a rollback goes back to and of the candidate,
     * and the lifecycle counters and events (under keys of their own, starting with a NUL), restored from its
     * changelog before the task starts; the loaded models live in a registry rebuilt from the store when the task
     * starts, candidate included, whatever its place on the models topic.
     */
    private static final class StandardModels implements TaskModels {

        private static final String PREVIOUS_PREFIX = "\u0000previous\u0000";
        private static final String CANDIDATE_PREFIX = "\u0000candidate\u0000";

        private final KeyValueStore<String, byte[]> store;
        private final LocalServing serving;
        private final int partition;
        private final ModelRegistry registry;
        private final Set<String> notLoaded = new HashSet<>();

        StandardModels(KeyValueStore<String, byte[]> store, LocalServing serving, int partition) {
            this.store = store;
            this.serving = serving;
            this.partition = partition;
            this.registry = serving.newRegistry();
            Map<String, Lifecycle> lifecycles = new HashMap<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                all.forEachRemaining(kv -> {
                    String dataType = ModelStore.lifecycleOf(kv.key);
                    if (dataType != null && kv.value != null) {
                        Lifecycle l = ModelStore.decodeLifecycle(dataType, kv.value);
                        if (l != null) {
                            lifecycles.put(dataType, l);
                        }
                    }
                });
            }
            live().forEach((dataType, descriptor) -> {
                ModelRegistry.SavedModels saved;
                try {
                    saved = new ModelRegistry.SavedModels(ModelDescriptor.parseFrom(descriptor),
                            descriptor(PREVIOUS_PREFIX + dataType), descriptor(CANDIDATE_PREFIX + dataType));
                } catch (InvalidProtocolBufferException e) {
                    notLoaded.add(dataType); // cannot be: only descriptors that loaded are stored
                    return;
                }
                Lifecycle lifecycle = lifecycles.remove(dataType);
                ServingStats stats = ServingStats.none(dataType).withLifecycle(lifecycle);
                if (!(registry.restore(dataType, saved, stats) instanceof LoadOutcome.Loaded)) {
                    notLoaded.add(dataType); // not live here: what is published for it is applied again
                }
            });
            // dataTypes with counters and events but no live model (removed, or every version refused)
            lifecycles.forEach(registry::restoreLifecycle);
            serving.serving(partition, registry);
        }

        /** A stored descriptor, or null when there is none or it does not parse. */
        private ModelDescriptor descriptor(String key) {
            byte[] bytes = store.get(key);
            if (bytes == null) {
                return null;
            }
            try {
                return ModelDescriptor.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                return null;
            }
        }

        /** Stores a descriptor (null: deletes it), only when it changed: the changelog takes no repeats. */
        private void putOrDelete(String key, ModelDescriptor d) {
            byte[] now = store.get(key);
            byte[] next = d == null ? null : d.toByteArray();
            if (!Arrays.equals(now, next)) {
                store.put(key, next);
            }
        }

        @Override
        public ModelRegistry registry() {
            return registry;
        }

        @Override
        public Map<String, byte[]> live() {
            Map<String, byte[]> live = new HashMap<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                all.forEachRemaining(kv -> {
                    if (!ModelStore.ownKey(kv.key)) {
                        live.put(kv.key, kv.value);
                    }
                });
            }
            live.keySet().removeAll(notLoaded);
            return live;
        }

        @Override
        public LoadOutcome load(String key, byte[] descriptor) {
            return ModelStore.apply(registry, key, descriptor);
        }

        @Override
        public void record(String dataType, String key, byte[] descriptor, LoadOutcome outcome) {
            if (outcome instanceof LoadOutcome.Loaded) {
                // a version's tombstone that gave the live model back to the previous version: that one's descriptor
                store.put(dataType, descriptor != null ? descriptor
                        : registry.savedModels(dataType).live().toByteArray());
                notLoaded.remove(dataType);
            } else if (outcome instanceof LoadOutcome.Removed) {
                store.delete(dataType);
                notLoaded.remove(dataType);
            }
            // the versions to go back to and to compare, the lifecycle counters and events, after every message
            // (a refusal too), of a dataType that has had a model here (made-up ones leave no key behind)
            if (!registry.hasHadAModel(dataType)) {
                return;
            }
            ModelRegistry.SavedModels saved = registry.savedModels(dataType);
            putOrDelete(PREVIOUS_PREFIX + dataType, saved.previous());
            putOrDelete(CANDIDATE_PREFIX + dataType, saved.candidate());
            registry.stats(dataType).ifPresent(stats -> store.put(ModelStore.lifecycleKey(dataType),
                    LifecycleCodec.encode(stats.lifecycle())));
        }

        @Override
        public void close() {
            serving.stopped(partition, registry);
            registry.close();
        }
    }
}
