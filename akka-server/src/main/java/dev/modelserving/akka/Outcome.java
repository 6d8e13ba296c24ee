package dev.modelserving.akka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.rest.ServingMetrics;
import java.util.Optional;

/** What became of one data record: a result to publish, a dead letter, or nothing (no model: skipped). */
sealed interface Outcome<P> {

    P passThrough();

    /** A {@code ServingResult}, with its input record's key. */
    record Result<P>(byte[] key, byte[] result, P passThrough) implements Outcome<P> {}

    /** The record as it came (key and value), with why it could not be scored and where it came from. */
    record DeadLetter<P>(byte[] key, byte[] value, String error, String source, P passThrough) implements Outcome<P> {}

    /** No model served its dataType: counted, nothing published, its offset still committed. */
    record Skipped<P>(P passThrough) implements Outcome<P> {}

    /** The record decoded, or its dead letter when it is not a WineRecord. */
    static <P> Decoded<P> decode(Incoming<P> in, ServingMetrics metrics) {
        metrics.received(1);
        try {
            if (in.value() == null) {
                throw new InvalidProtocolBufferException("the message has no value");
            }
            return new Decoded<>(in, WineRecord.parseFrom(in.value()), Optional.empty());
        } catch (InvalidProtocolBufferException e) {
            metrics.deadLettered();
            return new Decoded<>(in, null, Optional.of(new DeadLetter<>(in.key(), in.value(), "not a WineRecord: "
                    + e.getMessage(), in.source(), in.passThrough())));
        }
    }

    /** What a scoring makes of a record. */
    static <P> Outcome<P> of(Incoming<P> in, Scored s, ServingMetrics metrics) {
        metrics.served(s);
        if (s.isSkipped()) {
            return new Skipped<>(in.passThrough());
        }
        if (s.isFailed()) {
            metrics.deadLettered();
            return new DeadLetter<>(in.key(), in.value(), s.error(), in.source(), in.passThrough());
        }
        return new Result<>(in.key(), ServingResults.of(s, in.topic(), in.partition(), in.offset(),
                System.currentTimeMillis()).toByteArray(), in.passThrough());
    }

    /** A decoded record, or the dead letter of one that did not decode. */
    record Decoded<P>(Incoming<P> in, WineRecord record, Optional<Outcome<P>> deadLetter) {}
}
