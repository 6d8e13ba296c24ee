package dev.modelserving.model.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.Float32;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The project's committed TensorFlow models (the data module's frozen graph and zipped SavedModel of one MLP)
 * loaded by the TensorFlow loader: they score what a plain-Java forward pass of the weights in the frozen graph
 * gives, alone or in batches, from any number of threads.
 */
class TensorflowModelLoaderTest {

    @TempDir
    static Path dir;

    static List<WineRow> wines;
    static PlainMlp plain;
    static byte[] frozenGraph;
    static byte[] savedModelZip;

    @BeforeAll
    static void readTheCommittedModels() throws Exception {
        wines = ProjectData.wines().subList(0, 300);
        frozenGraph = ProjectModel.MLP_FROZEN_GRAPH.bytes();
        savedModelZip = ProjectModel.MLP_SAVED_MODEL.bytes();
        plain = PlainMlp.of(GraphDef.parseFrom(frozenGraph));
    }

    private ModelFactory factory(Path workDir) {
        return new ModelFactory(LoadingPolicy.defaults().withWorkDir(workDir));
    }

    private static List<Features> records(List<WineRow> rows) {
        return rows.stream().map(w -> WineFeatures.of(w.toRecord("wine"))).toList();
    }

    @Test
    void factoryFindsTheTensorflowLoaderOnTheClassPath() {
        assertThat(factory(dir.resolve("work")).supportedTypes()).contains(ModelDescriptor.ModelType.TENSORFLOW);
    }

    @Test
    void theFrozenGraphHasTheTutorialsInputAndOutputAndNoVariables() throws Exception {
        GraphDef graph = GraphDef.parseFrom(frozenGraph);
        assertThat(graph.getNodeList()).extracting(NodeDef::getName).contains("dense_1_input", "dense_3/Sigmoid");
        assertThat(graph.getNodeList()).extracting(NodeDef::getOp).doesNotContain("VariableV2", "VarHandleOp");
    }

    @Test
    void frozenGraphScoresLikeThePlainJavaForwardPass() throws Exception {
        try (Model model = factory(dir.resolve("work")).load(ProjectModel.MLP_FROZEN_GRAPH.descriptor("1"))) {
            assertScoresLikeForwardPass(model);
            assertThat(model.info().details()).contains("frozen graph", "'dense_1_input'", "'dense_3/Sigmoid' [-1,9]");
        }
    }

    @Test
    void savedModelZipScoresLikeThePlainJavaForwardPass() throws Exception {
        Path work = dir.resolve("work-saved");
        try (Model model = factory(work).load(ProjectModel.MLP_SAVED_MODEL.descriptor("1"))) {
            assertScoresLikeForwardPass(model);
            assertThat(model.info().details()).contains("signature 'serving_default'", "[-1,9]");
        }
        assertThat(TestModels.children(work)).as("unpacked SavedModel directories left behind").isEmpty();
    }

    @Test
    void unspecifiedFormatIsDetectedFromTheBytes() throws Exception {
        ModelFactory factory = factory(dir.resolve("work"));
        try (Model frozen = factory.load(TestModels.descriptor(frozenGraph, TensorflowFormat.TF_FORMAT_UNSPECIFIED));
                Model saved = factory.load(TestModels.descriptor(savedModelZip,
                        TensorflowFormat.TF_FORMAT_UNSPECIFIED))) {
            assertThat(frozen.info().details()).startsWith("frozen graph");
            assertThat(saved.info().details()).startsWith("SavedModel");
        }
    }

    @Test
    void batchOf500GivesWhat500SingleCallsGive() throws Exception {
        List<Features> records = records(ProjectData.wines().subList(300, 800));
        for (byte[] bytes : List.of(frozenGraph, savedModelZip)) {
            try (Model model = factory(dir.resolve("work")).load(TestModels.descriptor(bytes,
                    TensorflowFormat.TF_FORMAT_UNSPECIFIED))) {
                List<Prediction> batch = model.scoreBatch(records);
                List<Prediction> singles = new ArrayList<>();
                records.forEach(r -> singles.add(model.score(r)));
                assertThat(batch).hasSize(500);
                for (int i = 0; i < 500; i++) {
                    assertThat(Float32.mismatch(batch.get(i), singles.get(i))).as("record " + i).isEmpty();
                }
            }
        }
    }

    @Test
    void concurrentCallersGetTheSameAnswersAsOneCaller() throws Exception {
        List<Features> records = records(wines);
        try (Model model = factory(dir.resolve("work")).load(TestModels.descriptor(savedModelZip,
                TensorflowFormat.SAVED_MODEL_ZIP))) {
            List<Prediction> expected = model.scoreBatch(records);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Prediction>>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int batchSize = 1 + t * 10;
                    results.add(pool.submit(() -> scoreInBatches(model, records, batchSize)));
                }
                for (int t = 0; t < results.size(); t++) {
                    List<Prediction> got = results.get(t).get(60, TimeUnit.SECONDS);
                    assertThat(got).hasSameSizeAs(expected);
                    for (int i = 0; i < got.size(); i++) {
                        // other batch sizes, other kernels: the same answer up to float32 rounding
                        assertThat(Float32.mismatch(got.get(i), expected.get(i)))
                                .as("caller " + t + ", record " + i).isEmpty();
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Prediction> scoreInBatches(Model model, List<Features> records, int size) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i += size) {
            out.addAll(model.scoreBatch(records.subList(i, Math.min(records.size(), i + size))));
        }
        return out;
    }

    @Test
    void emptyBatchGivesNoPredictions() throws Exception {
        try (Model model = factory(dir.resolve("work")).load(ProjectModel.MLP_FROZEN_GRAPH.descriptor("1"))) {
            assertThat(model.scoreBatch(List.of())).isEmpty();
        }
    }

    /** In a batch and alone, every wine scores as the plain-Java pass of the graph's weights, within float32. */
    private static void assertScoresLikeForwardPass(Model model) {
        List<Features> records = records(wines);
        List<Prediction> batch = model.scoreBatch(records);
        assertThat(batch).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            double[] outputs = plain.outputs(wines.get(i).features());
            Map<String, Double> probabilities = new HashMap<>();
            for (int c = 0; c < outputs.length; c++) {
                probabilities.put(Integer.toString(c), outputs[c]);
            }
            Prediction expected = Prediction.classification(Integer.toString(PlainMlp.argmax(outputs)),
                    probabilities);
            for (Prediction p : List.of(batch.get(i), model.score(records.get(i)))) {
                assertThat(p.probabilities()).hasSize(9);
                assertThat(Float32.mismatch(p, expected)).as("wine " + i).isEmpty();
                assertThat(p.value()).isEqualTo(Double.valueOf(p.label()));
            }
        }
    }
}
