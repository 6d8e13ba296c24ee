package dev.modelserving.kafka;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.FeatureRecord;
import dev.modelserving.proto.FeatureValue;
import dev.modelserving.proto.WineRecord;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a data record's bytes, in one of the {@link RecordFormat}s, into the {@link Features} a model scores. */
public final class RecordDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordDecoder() {}

    /** Why a record's bytes are not a record of its format. */
    public static final class NotARecordException extends Exception {
        public NotARecordException(String message) {
            super(message);
        }
    }

    /**
     * The record these bytes hold in this format. A record without a dataType is none: no model could serve it. A
     * protobuf message with fields its format does not have is refused too: protobuf would read another format's
     * bytes (a FeatureRecord read as a WineRecord) as an empty record of this one, and it would be lost.
     */
    public static Features decode(byte[] value, RecordFormat format) throws NotARecordException {
        Features record = read(value, format);
        if (record.dataType().isEmpty()) {
            throw new NotARecordException(what(format) + ": it has no dataType");
        }
        return record;
    }

    private static String what(RecordFormat format) {
        return switch (format) {
            case WINE -> "not a WineRecord";
            case FEATURES -> "not a FeatureRecord";
            case JSON -> "not a JSON record";
        };
    }

    private static Features read(byte[] value, RecordFormat format) throws NotARecordException {
        if (value == null) {
            throw new NotARecordException(what(format) + ": the message has no value");
        }
        return switch (format) {
            case WINE -> wine(value);
            case FEATURES -> featureRecord(value);
            case JSON -> json(value);
        };
    }

    /**
     * The dataType of a record as {@link RecordScoring} would read it (its {@value RecordFormat#HEADER} header,
     * else {@code defaultFormat}), or null when it is not a record: for counting records that were given up.
     */
    public static String dataTypeOrNull(byte[] value, String contentType, RecordFormat defaultFormat) {
        try {
            RecordFormat format = RecordFormat.of(contentType, defaultFormat).orElse(null);
            return format == null ? null : decode(value, format).dataType();
        } catch (NotARecordException e) {
            return null;
        }
    }

    private static Features wine(byte[] value) throws NotARecordException {
        try {
            WineRecord r = WineRecord.parseFrom(value);
            unknownFields(r, "WineRecord");
            return WineFeatures.of(r);
        } catch (InvalidProtocolBufferException e) {
            throw new NotARecordException("not a WineRecord: " + e.getMessage());
        }
    }

    private static Features featureRecord(byte[] value) throws NotARecordException {
        FeatureRecord r;
        try {
            r = FeatureRecord.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new NotARecordException("not a FeatureRecord: " + e.getMessage());
        }
        unknownFields(r, "FeatureRecord");
        Map<String, Object> values = new LinkedHashMap<>(r.getFeaturesCount() * 2);
        r.getFeaturesMap().forEach((name, v) -> values.put(name, value(v)));
        return features(r.getDataType(), values, "FeatureRecord");
    }

    private static void unknownFields(Message m, String type) throws NotARecordException {
        if (!m.getUnknownFields().asMap().isEmpty()) {
            throw new NotARecordException("not a " + type + ": it holds fields a " + type + " does not have (numbers "
                    + m.getUnknownFields().asMap().keySet() + "); a record of another format needs its content-type"
                    + " header");
        }
    }

    private static Object value(FeatureValue v) {
        return switch (v.getKindCase()) {
            case NUMBER -> v.getNumber();
            case TEXT -> v.getText();
            case FLAG -> v.getFlag();
            case KIND_NOT_SET -> null;
        };
    }

    private static Features json(byte[] value) throws NotARecordException {
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JacksonException e) {
            throw new NotARecordException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NotARecordException("not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new NotARecordException("not a JSON record: expected an object with \"dataType\" and"
                    + " \"features\", got " + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        JsonNode dataType = root.path("dataType");
        if (!dataType.isMissingNode() && !dataType.isTextual()) {
            throw new NotARecordException("not a JSON record: \"dataType\" is not a string");
        }
        JsonNode features = root.path("features");
        if (!features.isMissingNode() && !features.isObject()) {
            throw new NotARecordException("not a JSON record: \"features\" is not an object");
        }
        Map<String, Object> values = new LinkedHashMap<>(features.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNumber()) {
                values.put(e.getKey(), v.doubleValue());
            } else if (v.isTextual()) {
                values.put(e.getKey(), v.textValue());
            } else if (v.isBoolean()) {
                values.put(e.getKey(), v.booleanValue());
            } else if (!v.isNull()) {
                throw new NotARecordException("not a JSON record: feature '" + e.getKey() + "' is "
                        + (v.isArray() ? "an array" : "an object") + "; a value is a number, a string or a boolean");
            }
        }
        return features(dataType.asText(""), values, "JSON record");
    }

    private static Features features(String dataType, Map<String, Object> values, String what)
            throws NotARecordException {
        try {
            return Features.of(dataType, values);
        } catch (IllegalArgumentException e) {
            throw new NotARecordException("not a " + what + ": " + e.getMessage());
        }
    }
}
