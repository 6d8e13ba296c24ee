package dev.modelserving.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.modelserving.kafka.RecordDecoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.FeatureNames;
import dev.modelserving.model.Features;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One JSON object per message, for {@code read --output json}: {@code topic}, {@code partition}, {@code offset},
 * {@code key}, {@code headers} (as UTF-8 text) and {@code value} decoded. A data record or dead letter is
 * {@code {"dataType": ..., "features": {...}}} (read by its content-type header, else the default data format); a
 * result is a {@code ServingResult} in protobuf's JSON mapping; a model is its descriptor without its bytes, with
 * {@code "dataBytes"} their size; a value that is none of these is {@code {"base64": ...}}, with
 * {@code "undecodable"} saying why.
 */
final class MessageJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer PROTO = JsonFormat.printer().omittingInsignificantWhitespace();

    private MessageJson() {}

    static String line(ConsumerRecord<String, byte[]> m, Topics topics, RecordFormat dataFormat) {
        ObjectNode out = JSON.createObjectNode();
        out.put("topic", m.topic()).put("partition", m.partition()).put("offset", m.offset());
        out.put("key", m.key());
        ObjectNode headers = out.putObject("headers");
        for (Header h : m.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        out.set("value", value(m, topics, dataFormat));
        return out.toString();
    }

    private static JsonNode value(ConsumerRecord<String, byte[]> m, Topics topics, RecordFormat dataFormat) {
        if (m.value() == null) {
            return NullNode.getInstance();
        }
        String contentType = RecordFormat.contentType(m.headers());
        try {
            if (m.topic().equals(topics.models())) {
                ModelDescriptor d = ModelDescriptor.parseFrom(m.value());
                ObjectNode node = (ObjectNode) JSON.readTree(PROTO.print(d.toBuilder().clearData().build()));
                if (d.getMessageContentCase() == ModelDescriptor.MessageContentCase.DATA) {
                    node.put("dataBytes", d.getData().size());
                }
                return node;
            }
            if (m.topic().equals(topics.results())) {
                return JSON.readTree(PROTO.print(ResultFormat.decode(m.value(), contentType)));
            }
            if (m.topic().equals(topics.data()) || m.topic().equals(topics.deadLetters())) {
                RecordFormat format = RecordFormat.of(contentType, dataFormat).orElse(null);
                if (format == null) {
                    return undecodable(m.value(), "unknown content-type '" + contentType + "'");
                }
                return record(RecordDecoder.decode(m.value(), format));
            }
            return undecodable(m.value(), null);
        } catch (RecordDecoder.NotARecordException | IOException e) {
            return undecodable(m.value(), e.getMessage());
        }
    }

    static ObjectNode record(Features r) {
        ObjectNode node = JSON.createObjectNode().put("dataType", r.dataType());
        ObjectNode features = node.putObject("features");
        for (String name : r.names()) {
            Object v = r.value(FeatureNames.key(name));
            if (v instanceof Double d) {
                features.put(name, d);
            } else if (v instanceof Boolean b) {
                features.put(name, b);
            } else if (v != null) {
                features.put(name, v.toString());
            }
        }
        return node;
    }

    private static ObjectNode undecodable(byte[] value, String why) {
        ObjectNode node = JSON.createObjectNode();
        if (why != null) {
            node.put("undecodable", why);
        }
        return node.put("base64", Base64.getEncoder().encodeToString(value));
    }
}
