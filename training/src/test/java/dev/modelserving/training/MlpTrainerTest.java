package dev.modelserving.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

class MlpTrainerTest {

    @TempDir
    static Path dir;

    static SyntheticWines wines;
    static TrainedMlp mlp;

    @BeforeAll
    static void train() {
        wines = SyntheticWines.generate(300, 42);
        mlp = MlpTrainer.train(wines.features(), wines.quality(), 7, 60);
    }

    @Test
    void trainedMlpBeatsTheMajorityClassOnItsTrainingData() {
        int correct = 0;
        for (int i = 0; i < wines.quality().length; i++) {
            if (mlp.predictQuality(wines.features()[i]) == wines.quality()[i]) {
                correct++;
            }
        }
        double accuracy = (double) correct / wines.quality().length;
        assertThat(accuracy).isGreaterThan(wines.majorityShare() + 0.15);
        assertThat(mlp.finalLoss()).isBetween(0.0, 0.2);
    }

    @Test
    void sameSeedGivesTheSameWeights() {
        TrainedMlp again = MlpTrainer.train(wines.features(), wines.quality(), 7, 60);
        for (int layer = 0; layer < 3; layer++) {
            assertThat(again.kernel(layer)).isDeepEqualTo(mlp.kernel(layer));
            assertThat(again.bias(layer)).containsExactly(mlp.bias(layer));
        }
        TrainedMlp other = MlpTrainer.train(wines.features(), wines.quality(), 8, 1);
        assertThat(java.util.Arrays.deepEquals(other.kernel(0), mlp.kernel(0))).isFalse();
    }

    @Test
    void frozenGraphHasTheTutorialsInputAndOutputAndNoVariables() throws Exception {
        Path file = dir.resolve("frozen.pb");
        mlp.writeFrozenGraph(file);
        GraphDef graph = GraphDef.parseFrom(Files.readAllBytes(file));
        Map<String, NodeDef> nodes = graph.getNodeList().stream()
                .collect(Collectors.toMap(NodeDef::getName, Function.identity()));

        NodeDef input = nodes.get("dense_1_input");
        assertThat(input.getOp()).isEqualTo("Placeholder");
        assertThat(input.getAttrOrThrow("dtype").getType()).isEqualTo(DataType.DT_FLOAT);
        assertThat(input.getAttrOrThrow("shape").getShape().getDimList())
                .extracting(d -> d.getSize()).containsExactly(-1L, 11L);
        assertThat(nodes.get("dense_3/Sigmoid").getOp()).isEqualTo("Sigmoid");
        assertThat(nodes.values()).extracting(NodeDef::getOp)
                .doesNotContain("VariableV2", "VarHandleOp", "Assign")
                .contains("Const", "MatMul", "BiasAdd", "Relu");
        assertThat(Files.size(file)).isLessThan(20_000);
        assertThat(mlp.frozenGraphBytes()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void savedModelZipHoldsRelativeEntriesAndIsSmall() throws Exception {
        Path file = dir.resolve("sub/saved.zip");
        mlp.writeSavedModelZip(file);
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            zip.stream().map(ZipEntry::getName).forEach(names::add);
        }
        assertThat(names).containsExactly("saved_model.pb", "variables/variables.data-00000-of-00001",
                "variables/variables.index");
        assertThat(Files.size(file)).isLessThan(50_000);
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void refusesLabelsOutsideZeroToEight() {
        assertThatThrownBy(() -> MlpTrainer.train(new double[][] {new double[11]}, new int[] {9}, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 0 has quality 9, expected 0..8");
    }
}
