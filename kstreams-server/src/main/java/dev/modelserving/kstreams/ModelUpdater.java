package dev.modelserving.kstreams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The global processor of the models topic: applies each message to the model store. */
final class ModelUpdater implements Processor<String, byte[], Void, Void> {

    private ModelStore store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(StreamNames.MODEL_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        store.apply(record.key(), record.value());
    }
}
