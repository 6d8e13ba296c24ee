package dev.modelserving.kstreams;

import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The DSL variants' processor, one per task: applies the broadcast models messages to the task's models and scores
 * the task's data records with them.
 */
final class ServingProcessor implements Processor<byte[], Input, String, byte[]> {

    private final StoreVariant variant;
    private final LocalServing serving;
    private final ServingMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private TaskModels models;

    ServingProcessor(StoreVariant variant, LocalServing serving, ServingMetrics metrics) {
        this.variant = variant;
        this.serving = serving;
        this.metrics = metrics;
    }

    /** A task's live models: where they are applied and what scores. */
    private interface TaskModels {
        ModelRegistry registry();

        LoadOutcome apply(String dataType, byte[] descriptor);

        default void close() {}
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        if (variant == StoreVariant.CUSTOM) {
            ModelStore store = context.getStateStore(StreamNames.MODEL_STORE);
            int partition = context.taskId().partition();
            serving.serving(partition, store.registry());
            models = new TaskModels() {
                @Override
                public ModelRegistry registry() {
                    return store.registry();
                }

                @Override
                public LoadOutcome apply(String dataType, byte[] descriptor) {
                    return store.apply(dataType, descriptor);
                }

                @Override
                public void close() {
                    serving.stopped(partition, store.registry());
                }
            };
        } else {
            models = new StandardModels(context.getStateStore(StreamNames.MODEL_STATE_STORE), serving,
                    context.taskId().partition());
        }
    }

    @Override
    public void process(Record<byte[], Input> record) {
        Input in = record.value();
        if (in.isModel()) {
            String dataType = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (dataType != null || in.value() != null) {
                metrics.model(models.apply(dataType, in.value()));
            }
        } else {
            Scoring.score(record.withValue(in.value()), models.registry(), context, metrics);
        }
    }

    @Override
    public void close() {
        models.close();
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
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> kv = all.next();
                    load(kv.key, kv.value);
                }
            }
            serving.serving(partition, registry);
        }

        @Override
        public ModelRegistry registry() {
            return registry;
        }

        @Override
        public LoadOutcome apply(String dataType, byte[] descriptor) {
            LoadOutcome outcome = load(dataType, descriptor);
            if (outcome instanceof LoadOutcome.Loaded loaded) {
                store.put(loaded.model().dataType(), descriptor);
            } else if (outcome instanceof LoadOutcome.Removed removed) {
                store.delete(removed.dataType());
            }
            return outcome;
        }

        private LoadOutcome load(String dataType, byte[] descriptor) {
            return ModelStore.apply(registry, dataType, descriptor);
        }

        @Override
        public void close() {
            serving.stopped(partition, registry);
            registry.close();
        }
    }
}
