package dev.modelserving.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * What became of one data record: a result to publish, a dead letter, or nothing (no model: skipped). Results and
 * dead letters carry their input record's key.
 */
public sealed interface Outcome<P> {

    P passThrough();

    /**
     * A {@code ServingResult} in {@code format}, to the results topic; {@code source} is where its record came
     * from.
     */
    record Result<P>(byte[] key, byte[] result, ResultFormat format, String dataType, String source, P passThrough)
            implements Outcome<P> {

        /** The {@value RecordFormat#HEADER} header that names the result's format. */
        public Headers headers() {
            return format.headers();
        }
    }

    /**
     * The record as it came (key, value and {@value RecordFormat#HEADER} header, null when it had none), to the
     * dead-letter topic with why and where from; {@code dataType} is null when the record did not decode.
     */
    record DeadLetter<P>(byte[] key, byte[] value, String contentType, String error, String dataType, String source,
            P passThrough) implements Outcome<P> {

        /** A dead letter of a record without a content type. */
        public DeadLetter(byte[] key, byte[] value, String error, String dataType, String source, P passThrough) {
            this(key, value, null, error, dataType, source, passThrough);
        }

        /** The {@link Provenance} headers, and the record's own {@value RecordFormat#HEADER} when it had one. */
        public Headers headers() {
            Headers headers = Provenance.deadLetterHeaders(error, source);
            if (contentType != null) {
                headers.add(RecordFormat.HEADER, contentType.getBytes(StandardCharsets.UTF_8));
            }
            return headers;
        }

        /** The value to publish: the record's bytes, empty when it had none. */
        public byte[] valueOrEmpty() {
            return value == null ? new byte[0] : value;
        }
    }

    /** No model served its dataType: counted, nothing published, its offset still committed. */
    record Skipped<P>(P passThrough) implements Outcome<P> {}
}
