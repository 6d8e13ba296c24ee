package dev.modelserving.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.nio.charset.StandardCharsets;

/**
 * The shapes a data record comes in, and the rule every server uses to tell them apart: a record's
 * {@value #HEADER} header (name in any case) names its format by media type or by the format's own name; a record
 * without one is in the server's default format ({@code model-server.data.format}), which is {@link #WINE} unless
 * configured. A content type that is none of these makes the record a dead letter.
 */
public enum RecordFormat {

    /** The tutorial's {@code WineRecord} protobuf. */
    WINE("application/vnd.modelserving.wine-record+protobuf"),
    /** A {@code FeatureRecord} protobuf: a dataType and named features. */
    FEATURES("application/vnd.modelserving.feature-record+protobuf"),
    /** A UTF-8 JSON object: {@code {"dataType": "churn", "features": {"tenure": 12, "plan": "gold"}}}. */
    JSON("application/json");

    /** The header that names a record's format. */
    public static final String HEADER = "content-type";

    /** The media type that names this format in a {@value #HEADER} header. */
    public final String contentType;

    RecordFormat(String contentType) {
        this.contentType = contentType;
    }

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The format's own name, as in {@code model-server.data.format} and the loader's {@code --format}. */
    public String label() {
        return label;
    }

    /**
     * The format a {@value #HEADER} value names: its media type (parameters after {@code ;} are ignored) or the
     * format's own name, in any case.
     */
    public static Optional<RecordFormat> ofContentType(String value) {
        for (RecordFormat f : FORMATS) { // per record: no allocation on the way to a match
            if (names(value, f.contentType) || names(value, f.label)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static final RecordFormat[] FORMATS = values();

    /**
     * The rule: the format a {@value #HEADER} value names, or {@code defaultFormat} when there is none (null);
     * empty when the header names no known format.
     */
    public static Optional<RecordFormat> of(String contentType, RecordFormat defaultFormat) {
        return contentType == null ? Optional.of(defaultFormat) : ofContentType(contentType);
    }

    /** Whether a header value is this name, in any case, with spaces around and parameters after ';'. */
    private static boolean names(String value, String name) {
        int start = 0;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        if (!value.regionMatches(true, start, name, 0, name.length())) {
            return false;
        }
        for (int i = start + name.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ';') {
                return true;
            }
            if (c != ' ') {
                return false;
            }
        }
        return true;
    }

    /** A header value as it goes into a message: at most 100 characters. */
    public static String abbreviated(String value) {
        return value.length() <= 100 ? value : value.substring(0, 100) + "...";
    }

    /** What a record's {@value #HEADER} header says, its last one if it has several; null when it has none. */
    public static String contentType(Headers headers) {
        if (headers == null) {
            return null;
        }
        String found = null;
        for (Header h : headers) {
            if (HEADER.equalsIgnoreCase(h.key()) && h.value() != null) {
                found = new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return found;
    }

    /** Every accepted {@value #HEADER} value, for messages. */
    public static String known() {
        return Arrays.stream(values()).map(f -> f.contentType + " (" + f.label() + ")").toList().toString();
    }
}
