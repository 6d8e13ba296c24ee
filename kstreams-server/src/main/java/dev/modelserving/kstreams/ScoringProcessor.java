package dev.modelserving.kstreams;

import dev.modelserving.kafka.ServingMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The {@code memory} variant's scorer: each record against the global model store's registry (TensorFlow's records in
 * batches, see {@link Scoring}).
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private final Scoring scoring;
    private ModelStore store;

    ScoringProcessor(ServingMetrics metrics, LocalServing serving, Batching batching) {
        this.scoring = new Scoring(metrics, serving, batching);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.store = context.getStateStore(StreamNames.MODEL_STORE);
        scoring.init(context, store::registry);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        scoring.process(record);
    }
}
