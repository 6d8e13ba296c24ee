package dev.modelserving.loader;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordDecoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.FeatureNames;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** One line per message, decoded: what a person wants to see of each topic. */
final class MessageFormat {

    private MessageFormat() {}

    static String line(ConsumerRecord<String, byte[]> m, Topics topics, RecordFormat dataFormat) {
        String where = Provenance.of(m.topic(), m.partition(), m.offset()) + " ";
        if (m.value() == null && !m.topic().equals(topics.models())) {
            return where + "no value (key " + m.key() + ")";
        }
        try {
            if (m.topic().equals(topics.data())) {
                return where + record(m, dataFormat);
            }
            if (m.topic().equals(topics.models())) {
                return where + (m.value() == null ? "model for dataType '" + m.key() + "' removed (tombstone)"
                        : model(ModelDescriptor.parseFrom(m.value())));
            }
            if (m.topic().equals(topics.results())) {
                return where + result(resultOf(m));
            }
            if (m.topic().equals(topics.deadLetters())) {
                return where + deadLetter(m);
            }
            return where + size(m.value()) + " bytes";
        } catch (InvalidProtocolBufferException e) {
            return where + "undecodable (" + size(m.value()) + " bytes): " + e.getMessage();
        }
    }

    /** A data record read by its content-type header, else {@code dataFormat}. */
    private static String record(ConsumerRecord<String, byte[]> m, RecordFormat dataFormat)
            throws InvalidProtocolBufferException {
        String contentType = RecordFormat.contentType(m.headers());
        RecordFormat format = RecordFormat.of(contentType, dataFormat).orElse(null);
        if (format == null) {
            return "record of unknown content-type '" + contentType + "' (" + size(m.value()) + " bytes)";
        }
        if (format == RecordFormat.WINE) {
            return record(WineRecord.parseFrom(m.value()));
        }
        try {
            Features r = RecordDecoder.decode(m.value(), format);
            StringBuilder out = new StringBuilder("record dataType=").append(r.dataType());
            for (String name : r.names()) {
                Object v = r.value(FeatureNames.key(name));
                out.append(' ').append(name).append('=').append(v instanceof Double d ? number(d) : v);
            }
            return out.toString();
        } catch (RecordDecoder.NotARecordException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
    }

    /** A result in the format its content-type header names. */
    private static ServingResult resultOf(ConsumerRecord<String, byte[]> m) throws InvalidProtocolBufferException {
        return ResultFormat.decode(m.value(), RecordFormat.contentType(m.headers()));
    }

    static String record(WineRecord r) {
        double[] v = WineFeatures.values(r);
        StringBuilder out = new StringBuilder("record dataType=").append(r.getDataType());
        for (int i = 0; i < v.length; i++) {
            out.append(' ').append(WineRecord.getDescriptor().getFields().get(i).getName()).append('=')
                    .append(number(v[i]));
        }
        return out.toString();
    }

    static String model(ModelDescriptor d) {
        String content = d.getMessageContentCase() == ModelDescriptor.MessageContentCase.LOCATION
                ? "by reference " + d.getLocation() + (d.getSha256().isEmpty() ? "" : " sha256=" + d.getSha256())
                : d.getData().size() + " bytes";
        return "model '" + d.getName() + "'" + (d.getVersion().isEmpty() ? "" : " v" + d.getVersion()) + " "
                + d.getModeltype() + (d.getModeltype() == ModelDescriptor.ModelType.TENSORFLOW
                        && d.getTfFormat() != ModelDescriptor.TensorflowFormat.TF_FORMAT_UNSPECIFIED
                        ? " " + d.getTfFormat() : "")
                + ", " + content + ", dataType=" + d.getDataType()
                + (d.getDescription().isEmpty() ? "" : " (" + d.getDescription() + ")");
    }

    static String result(ServingResult r) {
        StringBuilder out = new StringBuilder("result dataType=").append(r.getDataType()).append(" by '")
                .append(r.getModelName()).append('\'');
        if (!r.getModelVersion().isEmpty()) {
            out.append(" v").append(r.getModelVersion());
        }
        if (!r.getLabel().isEmpty()) {
            out.append(": label ").append(r.getLabel());
            Double p = r.getProbabilitiesMap().get(r.getLabel());
            if (p != null) {
                out.append(String.format(Locale.ROOT, " (p=%.3f)", p));
            }
        } else if (r.hasValue()) {
            out.append(": value ").append(String.format(Locale.ROOT, "%.4f", r.getValue()));
        }
        out.append(String.format(Locale.ROOT, " in %.1f µs", r.getDurationNs() / 1000.0));
        if (!r.getSourceTopic().isEmpty()) {
            out.append(" <- ").append(r.getSourceTopic()).append('[').append(r.getSourcePartition()).append("]@")
                    .append(r.getSourceOffset());
        }
        return out.toString();
    }

    private static String deadLetter(ConsumerRecord<String, byte[]> m) {
        Map<String, String> headers = new TreeMap<>();
        for (Header h : m.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return "dead letter (" + size(m.value()) + " bytes)" + (headers.isEmpty() ? "" : " " + headers.entrySet()
                .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
    }

    private static int size(byte[] value) {
        return value == null ? 0 : value.length;
    }

    private static String number(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
}
