package dev.modelserving.kstreams;

import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingMetrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
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
 * live models in its own store and brings them in line with the global one when it starts, before each record for
 * that record's dataType, and every {@value #SYNC_MS} ms for all of them. So a swap reaches the task between two of
 * its records, and a task never scores a record while a model it should have is still on its way.
 */
final class ServingProcessor implements Processor<byte[], byte[], String, byte[]> {

    static final long SYNC_MS = 100;

    private final StoreVariant variant;
    private final LocalServing serving;
    private final ServingMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private ReadOnlyKeyValueStore<String, byte[]> published;
    private TaskModels models;
    /** Per dataType, the published descriptor last applied here (accepted or refused): not applied again. */
    private final Map<String, byte[]> applied = new HashMap<>();

    ServingProcessor(StoreVariant variant, LocalServing serving, ServingMetrics metrics) {
        this.variant = variant;
        this.serving = serving;
        this.metrics = metrics;
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
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.published = context.getStateStore(StreamNames.PUBLISHED_MODELS);
        int partition = context.taskId().partition();
        models = variant == StoreVariant.CUSTOM
                ? new CustomModels(context.getStateStore(StreamNames.MODEL_STORE), serving, partition)
                : new StandardModels(context.getStateStore(StreamNames.MODEL_STATE_STORE), serving, partition);
        applied.putAll(models.live());
        syncAll();
        context.schedule(Duration.ofMillis(SYNC_MS), PunctuationType.WALL_CLOCK_TIME, now -> syncAll());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Scoring.score(record, models.registry(), context, metrics, this::sync);
    }

    /** Applies every published change this task has not applied yet. */
    private void syncAll() {
        try (KeyValueIterator<String, byte[]> all = published.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                sync(kv.key, TopologyProducer.descriptorOrRemoved(kv.value));
            }
        }
    }

    /** Brings one dataType in line with what is published for it; nothing published: nothing changes. */
    private void sync(String dataType) {
        byte[] p = published.get(dataType);
        if (p != null) {
            sync(dataType, TopologyProducer.descriptorOrRemoved(p));
        }
    }

    private void sync(String dataType, byte[] descriptor) {
        byte[] last = applied.get(dataType);
        if (last == descriptor || (descriptor == null && !applied.containsKey(dataType))
                || (last != null && descriptor != null && Arrays.equals(last, descriptor))) {
            if (descriptor != null) {
                applied.put(dataType, descriptor); // the same bytes: remember this copy, compare by reference next
            }
            return;
        }
        applied.put(dataType, descriptor);
        metrics.model(models.apply(dataType, descriptor));
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

        StandardModels(KeyValueStore<String, byte[]> store, LocalServing serving, int partition) {
            this.store = store;
            this.serving = serving;
            this.partition = partition;
            this.registry = serving.newRegistry();
            live().forEach((dataType, descriptor) -> ModelStore.apply(registry, dataType, descriptor));
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
            return live;
        }

        @Override
        public LoadOutcome apply(String dataType, byte[] descriptor) {
            LoadOutcome outcome = ModelStore.apply(registry, dataType, descriptor);
            if (outcome instanceof LoadOutcome.Loaded) {
                store.put(dataType, descriptor);
            } else if (outcome instanceof LoadOutcome.Removed) {
                store.delete(dataType);
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
