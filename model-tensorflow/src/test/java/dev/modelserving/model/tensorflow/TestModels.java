package dev.modelserving.model.tensorflow;

import com.google.protobuf.ByteString;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Descriptors and zips for tests. */
final class TestModels {

    private TestModels() {}

    static ModelDescriptor descriptor(byte[] bytes, TensorflowFormat format) {
        return ModelDescriptor.newBuilder()
                .setName("mlp").setVersion("1").setDataType("wine")
                .setModeltype(ModelDescriptor.ModelType.TENSORFLOW)
                .setTfFormat(format)
                .setData(ByteString.copyFrom(bytes))
                .build();
    }

    /** A zip of these entries, in order; a null value makes a directory entry. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                if (e.getValue() != null) {
                    zip.write(e.getValue());
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A zip of a directory tree, entries relative to it. */
    static byte[] zipDirectory(Path dir) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                entries.put(dir.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return zip(entries);
    }

    static List<Path> children(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }
}
