package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.training.Metrics;
import dev.modelserving.data.training.Split;
import dev.modelserving.model.Float32;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import dev.modelserving.proto.WineRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * The committed TensorFlow models score what a plain-Java forward pass of the weights stored in the frozen graph
 * gives: the weights are read from the graph's constants here, without TensorFlow.
 */
class ProjectTensorflowModelsTest {

    @TempDir
    static Path work;
    private static Split split;
    private static ModelFactory factory;
    private static PlainMlp plain;

    @BeforeAll
    static void readTheCommittedModels() throws Exception {
        split = Split.of(ProjectData.wines(), Regenerate.TEST_FRACTION, Regenerate.SPLIT_SEED);
        factory = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work));
        plain = PlainMlp.of(GraphDef.parseFrom(ProjectModel.MLP_FROZEN_GRAPH.bytes()));
    }

    @Test
    void theFrozenGraphHasTheTutorialsInputAndOutput() throws Exception {
        GraphDef graph = GraphDef.parseFrom(ProjectModel.MLP_FROZEN_GRAPH.bytes());
        assertThat(graph.getNodeList()).extracting(NodeDef::getName).contains("dense_1_input", "dense_3/Sigmoid");
        assertThat(graph.getNodeList()).extracting(NodeDef::getOp).doesNotContain("VariableV2", "VarHandleOp");
    }

    @Test
    void theFrozenGraphScoresAsThePlainJavaForwardPassOfItsWeights() throws Exception {
        assertScoresLikePlainJava(ProjectModel.MLP_FROZEN_GRAPH);
    }

    @Test
    void theSavedModelScoresAsTheFrozenGraphsWeights() throws Exception {
        assertScoresLikePlainJava(ProjectModel.MLP_SAVED_MODEL);
    }

    @Test
    void theMlpBeatsTheMajorityClassOnHeldOutWines() {
        double[][] x = Split.features(split.test());
        int[] y = Split.qualities(split.test());
        int majority = Metrics.majorityClass(Split.qualities(split.train()));
        assertThat(Metrics.accuracy(x, y, plain::quality)).isGreaterThan(Metrics.accuracy(x, y, f -> majority) + 0.05);
    }

    private static void assertScoresLikePlainJava(ProjectModel m) throws Exception {
        try (Model model = factory.load(m.descriptor("1"))) {
            List<WineRecord> records = split.test().stream().map(w -> w.toRecord("wine")).toList();
            List<Prediction> batch = model.scoreBatch(records);
            for (int i = 0; i < records.size(); i++) {
                double[] outputs = plain.outputs(split.test().get(i).features());
                Map<String, Double> probabilities = new HashMap<>();
                for (int c = 0; c < outputs.length; c++) {
                    probabilities.put(String.valueOf(c), outputs[c]);
                }
                Prediction expected = Prediction.classification(String.valueOf(argmax(outputs)), probabilities);
                Float32.assertSamePrediction(batch.get(i), expected, "held-out wine " + i + " in a batch");
            }
            // A single call takes another kernel path than a batch: the same answer up to float32 rounding.
            for (int i = 0; i < 20; i++) {
                Float32.assertSamePrediction(model.score(records.get(i)), batch.get(i), "held-out wine " + i + " alone");
            }
        }
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    /** standardize → dense_1 relu → dense_2 relu → dense_3 sigmoid, from the graph's Const nodes. */
    private record PlainMlp(float[] mean, float[] std, List<float[][]> kernels, List<float[]> biases) {

        static PlainMlp of(GraphDef graph) {
            Map<String, TensorProto> constants = new HashMap<>();
            for (NodeDef node : graph.getNodeList()) {
                if (node.getOp().equals("Const")) {
                    constants.put(node.getName(), node.getAttrOrThrow("value").getTensor());
                }
            }
            List<float[][]> kernels = new java.util.ArrayList<>();
            List<float[]> biases = new java.util.ArrayList<>();
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
            assertThat(kernels).hasSize(3);
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
}
