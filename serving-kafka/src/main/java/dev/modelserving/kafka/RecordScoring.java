package dev.modelserving.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.WineRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The step every server takes for its data records, whatever its engine: decode, score, and turn each record into
 * its {@link Outcome} (a result, a dead letter with the reason, or skipped), counted in the {@link ServingMetrics}.
 * An engine only feeds it its consumer's records and writes the outcomes with its producer.
 */
public final class RecordScoring {

    private final ServingMetrics metrics;

    public RecordScoring(ServingMetrics metrics) {
        this.metrics = metrics;
    }

    /** A decoded record, or the dead letter of one that is not a WineRecord. */
    public record Decoded<P>(DataRecord<P> in, WineRecord record, Outcome.DeadLetter<P> deadLetter) {
        public boolean isDeadLetter() {
            return deadLetter != null;
        }
    }

    /** Scores a batch with one model call per dataType; the outcomes are in the batch's order. */
    public <P> List<Outcome<P>> score(List<DataRecord<P>> batch, ModelRegistry registry) {
        List<Decoded<P>> decoded = new ArrayList<>(batch.size());
        batch.forEach(in -> decoded.add(decode(in)));
        return outcomes(decoded, registry.scoreBatch(records(decoded)));
    }

    /** Decodes a record; one that is not a WineRecord becomes its dead letter (counted). */
    public <P> Decoded<P> decode(DataRecord<P> in) {
        metrics.received(1);
        try {
            if (in.value() == null) {
                throw new InvalidProtocolBufferException("the message has no value");
            }
            return new Decoded<>(in, WineRecord.parseFrom(in.value()), null);
        } catch (InvalidProtocolBufferException e) {
            metrics.deadLettered();
            return new Decoded<>(in, null, new Outcome.DeadLetter<>(in.key(), in.value(), "not a WineRecord: "
                    + e.getMessage(), null, in.source(), in.passThrough()));
        }
    }

    /** The records of a batch that decoded, in order: what to score. */
    public static <P> List<WineRecord> records(List<Decoded<P>> decoded) {
        List<WineRecord> out = new ArrayList<>(decoded.size());
        decoded.forEach(d -> {
            if (!d.isDeadLetter()) {
                out.add(d.record());
            }
        });
        return out;
    }

    /**
     * The outcomes of a batch, in order: the dead letters of decoding as they are, the others from {@code scored}
     * (one per decoded record, in order, as {@link #records} gave them).
     */
    public <P> List<Outcome<P>> outcomes(List<Decoded<P>> decoded, List<Scored> scored) {
        long toScore = decoded.stream().filter(d -> !d.isDeadLetter()).count();
        if (toScore != scored.size()) {
            throw new IllegalArgumentException(scored.size() + " scorings for " + toScore + " decoded records");
        }
        List<Outcome<P>> out = new ArrayList<>(decoded.size());
        int k = 0;
        for (Decoded<P> d : decoded) {
            out.add(d.isDeadLetter() ? d.deadLetter() : outcome(d.in(), scored.get(k++)));
        }
        return out;
    }

    /** What one scoring makes of a record (counted). */
    public <P> Outcome<P> outcome(DataRecord<P> in, Scored s) {
        metrics.served(s);
        if (s.isSkipped()) {
            return new Outcome.Skipped<>(in.passThrough());
        }
        if (s.isFailed()) {
            metrics.deadLettered();
            return new Outcome.DeadLetter<>(in.key(), in.value(), s.error(), s.record().getDataType(), in.source(),
                    in.passThrough());
        }
        return new Outcome.Result<>(in.key(), ServingResults.of(s, in.topic(), in.partition(), in.offset(),
                System.currentTimeMillis()).toByteArray(), s.record().getDataType(), in.source(), in.passThrough());
    }
}
