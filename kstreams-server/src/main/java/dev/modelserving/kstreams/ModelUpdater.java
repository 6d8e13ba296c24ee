package dev.modelserving.kstreams;

import dev.modelserving.kafka.ServingMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The {@code memory} variant's global processor of the models topic: applies each message to the model store. */
final class ModelUpdater implements Processor<String, byte[], Void, Void> {

    private final ServingMetrics metrics;
    private ModelStore store;

    ModelUpdater(ServingMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(StreamNames.MODEL_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() != null || record.value() != null) {
            metrics.model(store.apply(record.key(), record.value()));
        }
    }
}
