package dev.modelserving.training;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * Builds the serving graph of a {@link TrainedMlp} with the tutorial's names: {@code dense_1_input} → standardise →
 * {@code dense_1} relu → {@code dense_2} relu → {@code dense_3/Sigmoid} (a softmax model's last op is
 * {@code dense_3/Softmax}). Weights are constants (frozen graph) or variables initialised from constants
 * (SavedModel, so the exporter's saver writes and restores them).
 */
final class MlpExport {

    static final String INPUT = "dense_1_input";
    static final String SIGNATURE = "serving_default";
    private static final FileTime ZIP_TIME = FileTime.fromMillis(315_532_800_000L); // 1980-01-01, the zip epoch

    private MlpExport() {}

    static GraphDef frozenGraph(TrainedMlp mlp) {
        try (Graph graph = new Graph()) {
            build(Ops.create(graph), mlp, false);
            return graph.toGraphDef();
        }
    }

    /** Serialised with map entries (node attributes) sorted, so the same weights always give the same bytes. */
    static byte[] frozenGraphBytes(TrainedMlp mlp) {
        GraphDef graph = frozenGraph(mlp);
        byte[] bytes = new byte[graph.getSerializedSize()];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.useDeterministicSerialization();
        try {
            graph.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the graph into memory", e);
        }
        out.checkNoSpaceLeft();
        return bytes;
    }

    static void writeFrozenGraph(TrainedMlp mlp, Path file) throws IOException {
        createParent(file);
        Files.write(file, frozenGraphBytes(mlp));
    }

    static void writeSavedModelZip(TrainedMlp mlp, Path zip) throws IOException {
        Path parent = createParent(zip);
        Path staging = Files.createTempDirectory(parent, ".savedmodel-export-");
        try {
            try (Graph graph = new Graph(); Session session = new Session(graph)) {
                Ops tf = Ops.create(graph);
                Placeholder<TFloat32> input = inputPlaceholder(tf, mlp);
                Operand<TFloat32> output = layers(tf, input, mlp, true);
                session.initialize();
                Signature signature = Signature.builder().key(SIGNATURE)
                        .input(INPUT, input).output("dense_" + mlp.layers(), output).build();
                SavedModelBundle.exporter(staging.toString()).withFunction(session.function(signature)).export();
            }
            zipTree(staging, zip);
        } finally {
            deleteTree(staging);
        }
    }

    private static Operand<TFloat32> build(Ops tf, TrainedMlp mlp, boolean variables) {
        return layers(tf, inputPlaceholder(tf, mlp), mlp, variables);
    }

    private static Placeholder<TFloat32> inputPlaceholder(Ops tf, TrainedMlp mlp) {
        return tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, mlp.spec().inputs())));
    }

    private static Operand<TFloat32> layers(Ops tf, Operand<TFloat32> input, TrainedMlp mlp, boolean variables) {
        Ops norm = tf.withSubScope("standardize");
        Operand<TFloat32> x = norm.withName("truediv").math.div(
                norm.withName("sub").math.sub(input, norm.withName("mean").constant(mlp.meanRef())),
                norm.withName("std").constant(mlp.stdRef()));
        for (int layer = 0; layer < mlp.layers(); layer++) {
            Ops scope = tf.withSubScope("dense_" + (layer + 1));
            Operand<TFloat32> kernel = weight(scope, "kernel", StdArrays.ndCopyOf(mlp.kernelRef(layer)), variables);
            Operand<TFloat32> bias = weight(scope, "bias", StdArrays.ndCopyOf(mlp.biasRef(layer)), variables);
            Operand<TFloat32> z = scope.withName("BiasAdd").nn.biasAdd(scope.withName("MatMul").linalg.matMul(x, kernel),
                    bias);
            x = layer < mlp.layers() - 1 ? scope.withName("Relu").nn.relu(z) : output(scope, mlp.spec().output(), z);
        }
        return x;
    }

    private static Operand<TFloat32> output(Ops scope, MlpSpec.Output output, Operand<TFloat32> z) {
        Ops named = scope.withName(output.op);
        return output == MlpSpec.Output.SOFTMAX ? named.nn.softmax(z) : named.math.sigmoid(z);
    }

    private static Operand<TFloat32> weight(Ops scope, String name, FloatNdArray value, boolean variable) {
        if (!variable) {
            return scope.withName(name).constant(value);
        }
        return scope.withName(name).variable(scope.withName(name + "_init").constant(value));
    }

    private static Path createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return parent;
    }

    /** Zips a directory with relative entry names in a stable order and a fixed time. */
    private static void zipTree(Path dir, Path zip) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream zout = new ZipOutputStream(out)) {
            for (Path file : files) {
                ZipEntry entry = new ZipEntry(dir.relativize(file).toString().replace('\\', '/'));
                entry.setLastModifiedTime(ZIP_TIME);
                zout.putNextEntry(entry);
                Files.copy(file, zout);
                zout.closeEntry();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
