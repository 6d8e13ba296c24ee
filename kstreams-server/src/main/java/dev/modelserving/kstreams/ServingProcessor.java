package dev.modelserving.kstreams;

import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
 * live models in its own store and brings them in line with the global one when it starts, and then before a record
 * and every {@value #SYNC_MS} ms whenever the global store has taken a message since (a counter compare). So a swap
 * reaches the task between two of its records, and a task never scores a record while a model it should have is
 * still on its way.
 */
final class ServingProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final long SYNC_MS = 100;

    private final StoreVariant variant;
    private final LocalServing serving;
    private final ServingMetrics metrics;
    private final Scoring scoring;
    private ProcessorContext<byte[], byte[]> context;
    private ReadOnlyKeyValueStore<String, byte[]> published;
    private TaskModels models;
    /** The global store's message count when this task last synced. */
    private long syncedAt = -1;
    /** Per dataType, the offset of the published message last applied here (accepted or refused). */
    private final Map<String, Long> applied = new HashMap<>();

    ServingProcessor(StoreVariant variant, LocalServing serving, ServingMetrics metrics) {
        this.variant = variant;
        this.serving = serving;
        this.metrics = metrics;
        this.scoring = new Scoring(metrics);
    }

    /** A task's live models: where they are applied and what scores. */
    private interface TaskModels {
        ModelRegistry registry();

        /** The descriptor (or null: no model) each dataType's live model came from, as the task store has it. */
        Map<String, byte[]> live();

        LoadOutcome apply(String dataType, byte[] descriptor);

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
        startFrom(models.live());
        syncAll();
        context.schedule(Duration.ofMillis(SYNC_MS), PunctuationType.WALL_CLOCK_TIME, now -> syncIfPublished());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        syncIfPublished();
        scoring.score(record, models.registry(), context);
    }

    /**
     * A task starting with restored models skips what is published up to the message its live model came from;
     * anything after it is applied in order (all before the task's first record).
     */
    private void startFrom(Map<String, byte[]> live) {
        for (PublishedModels.Entry e : PublishedModels.all(published)) {
            byte[] mine = live.get(e.dataType());
            if (mine != null && e.descriptor() != null && Arrays.equals(mine, e.descriptor())) {
                applied.put(e.dataType(), e.offset());
            }
        }
    }

    /** Applies every published message this task has not applied yet, in topic order. */
    private void syncAll() {
        long count = serving.publishedCount();
        PublishedModels.all(published).forEach(this::apply);
        syncedAt = count;
    }

    /** Syncs when the global store has taken a message since the last sync (one volatile read). */
    private void syncIfPublished() {
        if (serving.publishedCount() != syncedAt) {
            syncAll();
        }
    }

    private void apply(PublishedModels.Entry e) {
        Long last = applied.get(e.dataType());
        if (last != null && e.offset() <= last) {
            return;
        }
        applied.put(e.dataType(), e.offset());
        if (e.descriptor() == null && models.live().get(e.dataType()) == null && last == null) {
            return; // removing what this task never had
        }
        metrics.model(models.apply(e.dataType(), e.descriptor()));
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
        public LoadOutcome apply(String dataType, byte[] descriptor) {
            return store.apply(dataType, descriptor);
        }

        @Override
        public void close() {
            serving.stopped(partition, store.registry());
        }
    }

    /**
     * The {@code standard} variant: Kafka Streams' key-value store holds the descriptor of each dataType's live
     * model (restored from its changelog before the task starts); the loaded models live in a registry rebuilt from
     * the store when the task starts.
     */
    private static final class StandardModels implements TaskModels {

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
            live().forEach((dataType, descriptor) -> {
                if (!(ModelStore.apply(registry, dataType, descriptor) instanceof LoadOutcome.Loaded)) {
                    notLoaded.add(dataType); // not live here: what is published for it is applied again
                }
            });
            serving.serving(partition, registry);
        }

        @Override
        public ModelRegistry registry() {
            return registry;
        }

        @Override
        public Map<String, byte[]> live() {
            Map<String, byte[]> live = new HashMap<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                all.forEachRemaining(kv -> live.put(kv.key, kv.value));
            }
            live.keySet().removeAll(notLoaded);
            return live;
        }

        @Override
        public LoadOutcome apply(String dataType, byte[] descriptor) {
            LoadOutcome outcome = ModelStore.apply(registry, dataType, descriptor);
            if (outcome instanceof LoadOutcome.Loaded) {
                store.put(dataType, descriptor);
                notLoaded.remove(dataType);
            } else if (outcome instanceof LoadOutcome.Removed) {
                store.delete(dataType);
                notLoaded.remove(dataType);
            }
            return outcome;
        }

        @Override
        public void close() {
            serving.stopped(partition, registry);
            registry.close();
        }
    }
}
