package dev.modelserving.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Decodes bytes written by hand from the tutorial schema's field numbers (not by protobuf's encoder), so a
 * renumbered field fails here.
 */
class TutorialWireFormatTest {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;

    @Test
    void decodesATutorialWineRecord() throws Exception {
        double[] values = {7.4, 0.7, 0.01, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4};
        Wire wire = new Wire();
        for (int i = 0; i < values.length; i++) {
            wire.fixed64(i + 1, values[i]);
        }
        wire.string(12, "wine");

        WineRecord r = WineRecord.parseFrom(wire.bytes());

        assertThat(new double[] {r.getFixedAcidity(), r.getVolatileAcidity(), r.getCitricAcid(),
                r.getResidualSugar(), r.getChlorides(), r.getFreeSulfurDioxide(), r.getTotalSulfurDioxide(),
                r.getDensity(), r.getPH(), r.getSulphates(), r.getAlcohol()}).containsExactly(values);
        assertThat(r.getDataType()).isEqualTo("wine");
        assertThat(r.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void decodesATutorialModelDescriptorByValue() throws Exception {
        byte[] model = {1, 2, 3, 4};
        Wire wire = new Wire();
        wire.string(1, "tree");
        wire.string(2, "a decision tree");
        wire.string(3, "wine");
        wire.varint(4, 1);
        wire.bytes(5, model);

        ModelDescriptor d = ModelDescriptor.parseFrom(wire.bytes());

        assertThat(d.getName()).isEqualTo("tree");
        assertThat(d.getDescription()).isEqualTo("a decision tree");
        assertThat(d.getDataType()).isEqualTo("wine");
        assertThat(d.getModeltype()).isEqualTo(ModelDescriptor.ModelType.PMML);
        assertThat(d.getMessageContentCase()).isEqualTo(ModelDescriptor.MessageContentCase.DATA);
        assertThat(d.getData().toByteArray()).containsExactly(model);
        assertThat(d.getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void decodesATutorialTensorflowDescriptorByReference() throws Exception {
        Wire wire = new Wire();
        wire.string(1, "mlp");
        wire.string(3, "wine");
        // modeltype 0 (TENSORFLOW) is proto3's default and is not written on the wire
        wire.string(6, "/models/optimized_WineQuality.pb");

        ModelDescriptor d = ModelDescriptor.parseFrom(wire.bytes());

        assertThat(d.getModeltype()).isEqualTo(ModelDescriptor.ModelType.TENSORFLOW);
        assertThat(d.getMessageContentCase()).isEqualTo(ModelDescriptor.MessageContentCase.LOCATION);
        assertThat(d.getLocation()).isEqualTo("/models/optimized_WineQuality.pb");
    }

    @Test
    void ourExtensionsStayOutOfTheTutorialFieldNumbers() {
        assertThat(ModelDescriptor.getDescriptor().getFields())
                .filteredOn(f -> f.getNumber() > 6)
                .extracting(f -> f.getName())
                .contains("version", "sha256");
        assertThat(ModelDescriptor.getDescriptor().findFieldByNumber(5).getName()).isEqualTo("data");
        assertThat(ModelDescriptor.getDescriptor().findFieldByNumber(6).getName()).isEqualTo("location");
        assertThat(WineRecord.getDescriptor().getFields()).hasSize(12);
    }

    /** The protobuf wire format written by hand: tag = field number << 3 | wire type. */
    private static final class Wire {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void fixed64(int field, double value) {
            rawVarint((long) field << 3 | FIXED64);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
        }

        void varint(int field, long value) {
            rawVarint((long) field << 3 | VARINT);
            rawVarint(value);
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(int field, byte[] value) {
            rawVarint((long) field << 3 | LENGTH_DELIMITED);
            rawVarint(value.length);
            out.writeBytes(value);
        }

        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
