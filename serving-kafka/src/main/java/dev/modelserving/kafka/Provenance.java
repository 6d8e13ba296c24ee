package dev.modelserving.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Where a message came from, as every server writes it: {@code topic[partition]@offset}, and the headers of a dead
 * letter ({@value #ERROR_HEADER}: why the record was not scored; {@value #SOURCE_HEADER}: where it came from).
 */
public final class Provenance {

    public static final String ERROR_HEADER = "error";
    public static final String SOURCE_HEADER = "source";

    private Provenance() {}

    /** {@code topic[partition]@offset}. */
    public static String of(String topic, int partition, long offset) {
        return topic + "[" + partition + "]@" + offset;
    }

    /** The headers of a dead letter. */
    public static Headers deadLetterHeaders(String error, String source) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ERROR_HEADER, error.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** Whether a message's headers mark it as a dead letter. */
    public static boolean isDeadLetter(Headers headers) {
        return headers != null && headers.lastHeader(ERROR_HEADER) != null;
    }
}
