package dev.modelserving.model.tensorflow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * The project's MLP computed in plain Java (double arithmetic) from the weights stored in a frozen graph's
 * constants, without TensorFlow: what the graph should compute, to compare TensorFlow's float32 outputs with.
 * standardize → dense_1 relu → dense_2 relu → dense_3 sigmoid.
 */
record PlainMlp(float[] mean, float[] std, List<float[][]> kernels, List<float[]> biases) {

    static PlainMlp of(GraphDef graph) {
        Map<String, TensorProto> constants = new HashMap<>();
        for (NodeDef node : graph.getNodeList()) {
            if (node.getOp().equals("Const")) {
                constants.put(node.getName(), node.getAttrOrThrow("value").getTensor());
            }
        }
        List<float[][]> kernels = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (int layer = 1; constants.containsKey("dense_" + layer + "/kernel"); layer++) {
            TensorProto k = constants.get("dense_" + layer + "/kernel");
            int rows = (int) k.getTensorShape().getDim(0).getSize();
            int cols = (int) k.getTensorShape().getDim(1).getSize();
            float[] flat = floats(k);
            float[][] kernel = new float[rows][cols];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(flat, r * cols, kernel[r], 0, cols);
            }
            kernels.add(kernel);
            biases.add(floats(constants.get("dense_" + layer + "/bias")));
        }
        if (kernels.size() != 3) {
            throw new IllegalArgumentException("expected 3 dense layers, found " + kernels.size());
        }
        return new PlainMlp(floats(constants.get("standardize/mean")), floats(constants.get("standardize/std")),
                kernels, biases);
    }

    double[] outputs(double[] features) {
        double[] a = new double[features.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = ((float) features[i] - mean[i]) / std[i];
        }
        for (int layer = 0; layer < kernels.size(); layer++) {
            float[][] k = kernels.get(layer);
            double[] z = new double[k[0].length];
            for (int j = 0; j < z.length; j++) {
                z[j] = biases.get(layer)[j];
                for (int i = 0; i < a.length; i++) {
                    z[j] += a[i] * k[i][j];
                }
                z[j] = layer == kernels.size() - 1 ? 1 / (1 + Math.exp(-z[j])) : Math.max(0, z[j]);
            }
            a = z;
        }
        return a;
    }

    int quality(double[] features) {
        return argmax(outputs(features));
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    private static float[] floats(TensorProto t) {
        if (!t.getTensorContent().isEmpty()) {
            ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatValCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatVal(i);
        }
        return out;
    }
}
