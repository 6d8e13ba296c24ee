package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.rest.ServingMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.RecordContext;

/**
 * Scoring one data record, the same in every variant: a result is forwarded with its input record's key; a record
 * that is not a WineRecord, or that the model cannot score, is forwarded as it came (key and value) with the reason
 * in an {@value #ERROR_HEADER} header and its origin in a {@value #SOURCE_HEADER} header, which {@link #output}
 * sends to the dead-letter topic; a record without a model is skipped (the registry and the metrics count it).
 */
final class Scoring {

    static final String ERROR_HEADER = "error";
    static final String SOURCE_HEADER = "source";

    private Scoring() {}

    static void score(Record<byte[], byte[]> record, ModelRegistry registry, ProcessorContext<byte[], byte[]> context,
            ServingMetrics metrics) {
        score(record, registry, context, metrics, dataType -> { });
    }

    /** As above; {@code beforeScoring} gets the record's dataType once the record is decoded. */
    static void score(Record<byte[], byte[]> record, ModelRegistry registry, ProcessorContext<byte[], byte[]> context,
            ServingMetrics metrics, java.util.function.Consumer<String> beforeScoring) {
        metrics.received(1);
        WineRecord wine;
        try {
            if (record.value() == null) {
                throw new InvalidProtocolBufferException("the message has no value");
            }
            wine = WineRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetter(record, "not a WineRecord: " + e.getMessage(), context, metrics);
            return;
        }
        beforeScoring.accept(wine.getDataType());
        Scored s = registry.score(wine);
        metrics.served(s);
        if (s.isFailed()) {
            deadLetter(record, s.error(), context, metrics);
        } else if (!s.isSkipped()) {
            RecordMetadata m = context.recordMetadata().orElseThrow();
            byte[] result = ServingResults.of(s, m.topic(), m.partition(), m.offset(), System.currentTimeMillis())
                    .toByteArray();
            context.forward(new Record<>(record.key(), result, record.timestamp()));
        }
    }

    private static void deadLetter(Record<byte[], byte[]> record, String error, ProcessorContext<byte[], byte[]> context,
            ServingMetrics metrics) {
        metrics.deadLettered();
        Record<byte[], byte[]> dead = new Record<>(record.key(), record.value(), record.timestamp());
        dead.headers().add(ERROR_HEADER, error.getBytes(StandardCharsets.UTF_8));
        context.recordMetadata().ifPresent(m -> dead.headers().add(SOURCE_HEADER,
                (m.topic() + "[" + m.partition() + "]@" + m.offset()).getBytes(StandardCharsets.UTF_8)));
        context.forward(dead);
    }

    /** Sends results to the results topic and records with an error header to the dead-letter topic. */
    static TopicNameExtractor<byte[], byte[]> output(String results, String deadLetters) {
        return (key, value, ctx) -> isDeadLetter(ctx) ? deadLetters : results;
    }

    private static boolean isDeadLetter(RecordContext ctx) {
        Headers h = ctx.headers();
        return h != null && h.lastHeader(ERROR_HEADER) != null;
    }
}
