package dev.modelserving.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.ServingResult;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a server writes its results ({@code model-server.results.format}): the {@code ServingResult} protobuf, or
 * the same fields as a UTF-8 JSON object in protobuf's JSON mapping (lowerCamelCase names, e.g.
 * {@code "modelName"}; 64-bit integers as strings; fields at their default value left out). Every result carries a
 * {@value RecordFormat#HEADER} header naming its format.
 */
public enum ResultFormat {

    PROTOBUF("application/vnd.modelserving.serving-result+protobuf"),
    JSON("application/json");

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    /** The media type in a result's {@value RecordFormat#HEADER} header. */
    public final String contentType;
    private final byte[] contentTypeBytes;

    ResultFormat(String contentType) {
        this.contentType = contentType;
        this.contentTypeBytes = contentType.getBytes(StandardCharsets.UTF_8);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A scored record's result in this format, traced back to its input: {@link ServingResults#protobuf} (the
     * protobuf written straight from the record), or the JSON of {@link ServingResults#of}.
     */
    public byte[] encode(Scored s, String topic, int partition, long offset, long scoredAtMs) {
        return this == PROTOBUF ? ServingResults.protobuf(s, topic, partition, offset, scoredAtMs)
                : encode(ServingResults.of(s, topic, partition, offset, scoredAtMs));
    }

    /** A result's bytes in this format. */
    public byte[] encode(ServingResult result) {
        if (this == PROTOBUF) {
            return result.toByteArray();
        }
        try {
            return PRINTER.print(result).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a ServingResult has no JSON form: " + e.getMessage(), e);
        }
    }

    /** A result message's {@code ServingResult}, read in the format its {@value RecordFormat#HEADER} header names. */
    public static ServingResult decode(byte[] value, String contentType) throws InvalidProtocolBufferException {
        if (contentType != null && contentType.regionMatches(true, 0, JSON.contentType, 0, JSON.contentType.length())) {
            ServingResult.Builder r = ServingResult.newBuilder();
            JsonFormat.parser().merge(new String(value, StandardCharsets.UTF_8), r);
            return r.build();
        }
        return ServingResult.parseFrom(value);
    }

    /** The headers a result in this format carries. */
    public Headers headers() {
        return new RecordHeaders(new RecordHeader[] {new RecordHeader(RecordFormat.HEADER, contentTypeBytes)});
    }
}
