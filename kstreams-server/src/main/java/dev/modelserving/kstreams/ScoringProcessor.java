package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.WineRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Scores each record with the model store's current model for its dataType: the result goes to the results sink;
 * a record that is not a WineRecord, or that the model cannot score, goes to the dead-letter sink with the reason
 * in an {@value #ERROR_HEADER} header; a record without a model is skipped (and counted by the registry).
 */
final class ScoringProcessor implements Processor<byte[], byte[], String, byte[]> {

    static final String ERROR_HEADER = "error";
    static final String RESULTS_SINK = "results-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private ProcessorContext<String, byte[]> context;
    private ModelStore store;

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(StreamNames.MODEL_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        WineRecord wine;
        try {
            if (record.value() == null) {
                throw new InvalidProtocolBufferException("the message has no value");
            }
            wine = WineRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetter(record, "not a WineRecord: " + e.getMessage());
            return;
        }
        Scored s = store.registry().score(wine);
        if (s.isFailed()) {
            deadLetter(record, s.error());
        } else if (!s.isSkipped()) {
            context.forward(new Record<>(wine.getDataType(), result(s), record.timestamp()), RESULTS_SINK);
        }
    }

    private byte[] result(Scored s) {
        RecordMetadata m = context.recordMetadata().orElseThrow();
        return ServingResults.of(s, m.topic(), m.partition(), m.offset(), System.currentTimeMillis()).toByteArray();
    }

    private void deadLetter(Record<byte[], byte[]> record, String error) {
        Record<String, byte[]> dead = new Record<>(null, record.value(), record.timestamp());
        dead.headers().add(ERROR_HEADER, error.getBytes(StandardCharsets.UTF_8));
        context.recordMetadata().ifPresent(m -> dead.headers().add("source",
                (m.topic() + "[" + m.partition() + "]@" + m.offset()).getBytes(StandardCharsets.UTF_8)));
        context.forward(dead, DEAD_LETTER_SINK);
    }
}
