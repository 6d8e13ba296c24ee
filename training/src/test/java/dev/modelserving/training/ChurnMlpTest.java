package dev.modelserving.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ChurnRow;
import dev.modelserving.data.ProjectData.ProjectModel;
import com.google.protobuf.ByteString;
import dev.modelserving.model.Features;
import dev.modelserving.model.Float32;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.ScoringException;
import dev.modelserving.proto.ModelDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The churn MLP (a softmax {@link MlpSpec}): trained on a quarter of the committed customers it learns something;
 * its frozen graph, like the committed one, takes the four inputs and gives two probabilities; and the model
 * library, fed customers by name, scores with that graph as {@link TrainedMlp#predict(double[])} says.
 */
class ChurnMlpTest {

    static ChurnSplit split;
    static TrainedMlp mlp;

    @BeforeAll
    static void train() {
        split = ChurnSplit.of(ProjectData.churnRows(), Regenerate.TEST_FRACTION, Regenerate.SPLIT_SEED);
        var customers = split.train().subList(0, 1000);
        mlp = MlpTrainer.train(MlpSpec.CHURN, inputs(ChurnFeatures.matrix(customers)),
                ChurnFeatures.labels(customers), 5, 20);
    }

    private static double[][] inputs(double[][] encoded) {
        return ChurnFeatures.columns(encoded, ProjectModel.CHURN_MLP.inputs());
    }

    @Test
    void itGivesTwoProbabilitiesAndBeatsTheMajorityClassOnHeldOutCustomers() {
        double[][] x = inputs(ChurnFeatures.matrix(split.test()));
        int[] y = ChurnFeatures.labels(split.test());
        for (double[] row : x) {
            double[] p = mlp.predict(row);
            assertThat(p).hasSize(2);
            assertThat(p[0] + p[1]).isCloseTo(1.0, within(1e-12));
        }
        int majority = Metrics.majorityClass(ChurnFeatures.labels(split.train()));
        assertThat(Metrics.accuracy(x, y, mlp::predictClass)).isGreaterThan(Metrics.accuracy(x, y, r -> majority)
                + 0.03);
        assertThat(mlp.spec().outputName()).isEqualTo(ProjectModel.CHURN_MLP.tfOutput);
    }

    @Test
    void theInputsAreTenureChargesCallsAndPaperlessAsOneOrZero() {
        double[] x = inputs(new double[][] {ChurnFeatures.encode(split.test().get(0))})[0];
        var c = split.test().get(0);
        assertThat(x).containsExactly(c.tenure(), c.monthlyCharges(), c.supportCalls(), c.paperless() ? 1 : 0);
    }

    @Test
    void sameSeedGivesTheSameWeights() {
        var customers = split.train().subList(0, 1000);
        TrainedMlp again = MlpTrainer.train(MlpSpec.CHURN, inputs(ChurnFeatures.matrix(customers)),
                ChurnFeatures.labels(customers), 5, 20);
        for (int layer = 0; layer < 3; layer++) {
            assertThat(again.kernel(layer)).isDeepEqualTo(mlp.kernel(layer));
            assertThat(again.bias(layer)).containsExactly(mlp.bias(layer));
        }
    }

    @Test
    void itsFrozenGraphAndTheCommittedOneTakeFourInputsAndGiveASoftmaxOfTwo() throws Exception {
        for (byte[] bytes : new byte[][] {mlp.frozenGraphBytes(), ProjectModel.CHURN_MLP.bytes()}) {
            Map<String, NodeDef> nodes = GraphDef.parseFrom(bytes).getNodeList().stream()
                    .collect(Collectors.toMap(NodeDef::getName, Function.identity()));
            NodeDef input = nodes.get("dense_1_input");
            assertThat(input.getOp()).isEqualTo("Placeholder");
            assertThat(input.getAttrOrThrow("dtype").getType()).isEqualTo(DataType.DT_FLOAT);
            assertThat(input.getAttrOrThrow("shape").getShape().getDimList())
                    .extracting(d -> d.getSize()).containsExactly(-1L, 4L);
            assertThat(nodes.get(ProjectModel.CHURN_MLP.tfOutput).getOp()).isEqualTo("Softmax");
            assertThat(nodes.get("dense_3/kernel").getAttrOrThrow("value").getTensor().getTensorShape().getDimList())
                    .extracting(d -> d.getSize()).containsExactly(8L, 2L);
            assertThat(nodes).containsKeys("standardize/mean", "standardize/std");
            assertThat(nodes.values()).extracting(NodeDef::getOp).doesNotContain("VariableV2", "VarHandleOp",
                    "Assign", "Sigmoid");
        }
    }

    @Test
    void theModelLibraryFedCustomersByNameScoresAsThePlainJavaForwardPass(@TempDir Path work) throws Exception {
        ModelDescriptor d = ProjectModel.CHURN_MLP.descriptor("test").toBuilder()
                .setData(ByteString.copyFrom(mlp.frozenGraphBytes())).build();
        List<ChurnRow> customers = split.test().subList(0, 300);
        List<Features> records = customers.stream().map(c -> Features.of("churn", c.values())).toList();
        double[][] x = inputs(ChurnFeatures.matrix(customers));
        try (Model model = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)).load(d)) {
            assertThat(model.inputs()).extracting(ModelInput::name).containsExactlyElementsOf(ProjectModel.CHURN_MLP.inputs());
            List<Prediction> batch = model.scoreBatch(records);
            for (int i = 0; i < customers.size(); i++) {
                double[] p = mlp.predict(x[i]);
                Prediction expected = Prediction.classification(p[1] > p[0] ? "1" : "0",
                        Map.of("0", p[0], "1", p[1]));
                for (Prediction actual : List.of(batch.get(i), model.score(records.get(i)))) {
                    assertThat(Float32.mismatch(actual, expected)).as("customer %d", i).isEmpty();
                }
            }
            Map<String, Object> withoutCalls = new HashMap<>(customers.get(0).values());
            withoutCalls.remove(ChurnRow.SUPPORT_CALLS);
            withoutCalls.put(ChurnRow.PLAN, "gold");
            assertThatThrownBy(() -> model.score(Features.of("churn", withoutCalls)))
                    .isInstanceOf(ScoringException.class)
                    .hasMessage("the record lacks the model's inputs [support_calls]");
            Map<String, Object> textTenure = new HashMap<>(customers.get(0).values());
            textTenure.put(ChurnRow.TENURE, "twelve");
            assertThatThrownBy(() -> model.score(Features.of("churn", textTenure)))
                    .isInstanceOf(ScoringException.class)
                    .hasMessageContaining("input 'tenure' is text ('twelve')");
        }
    }

    @Test
    void refusesAClassOutsideNoAndYes() {
        assertThatThrownBy(() -> MlpTrainer.train(MlpSpec.CHURN, new double[][] {new double[4]}, new int[] {2}, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 0 has class 2, expected 0..1");
        assertThat(Arrays.stream(MlpSpec.CHURN.layerSizes()).boxed()).containsExactly(4, 16, 8, 2);
    }
}
