package dev.modelserving.kstreams;

import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.ModelRegistry;
import java.util.List;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Scoring one data record, the same in every variant, through the shared {@link RecordScoring}: a result is
 * forwarded with its input record's key; a dead letter is forwarded as the record came (key and value) with the
 * {@link Provenance} headers, which {@link #output} sends to the dead-letter topic; a skipped record forwards nothing,
 * and neither does an outcome larger than its topic takes (given up: see {@link LocalServing#fits}).
 */
final class Scoring {

    private final RecordScoring scoring;
    private final LocalServing serving;

    Scoring(ServingMetrics metrics, LocalServing serving) {
        this.scoring = new RecordScoring(metrics, serving.defaultFormat(), serving.resultFormat());
        this.serving = serving;
    }

    void score(Record<byte[], byte[]> record, ModelRegistry registry, ProcessorContext<byte[], byte[]> context) {
        RecordMetadata m = context.recordMetadata().orElseThrow();
        DataRecord<Void> in = new DataRecord<>(record.key(), record.value(),
                RecordFormat.contentType(record.headers()), m.topic(), m.partition(), m.offset(), null);
        for (Outcome<Void> o : scoring.score(List.of(in), registry)) {
            if (!serving.fits(o)) {
                continue; // given up: larger than its topic takes
            }
            if (o instanceof Outcome.Result<Void> r) {
                context.forward(new Record<>(r.key(), r.result(), record.timestamp(), r.headers()));
            } else if (o instanceof Outcome.DeadLetter<Void> d) {
                context.forward(new Record<>(d.key(), d.valueOrEmpty(), record.timestamp(), d.headers()));
            }
        }
    }

    /** Sends results to the results topic and dead letters (the records with an error header) to theirs. */
    static TopicNameExtractor<byte[], byte[]> output(String results, String deadLetters) {
        return (key, value, ctx) -> Provenance.isDeadLetter(ctx.headers()) ? deadLetters : results;
    }
}
