package dev.modelserving.kstreams;

import dev.modelserving.kafka.ServingMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The {@code memory} variant's scorer: each record against the global model store's registry. */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private final Scoring scoring;
    private ProcessorContext<byte[], byte[]> context;
    private ModelStore store;

    ScoringProcessor(ServingMetrics metrics, LocalServing serving) {
        this.scoring = new Scoring(metrics, serving);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(StreamNames.MODEL_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        scoring.score(record, store.registry(), context);
    }
}
