package dev.modelserving.model.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.model.Float32;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.tensorflow.training.MlpTrainer;
import dev.modelserving.model.tensorflow.training.TrainedMlp;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import dev.modelserving.proto.WineRecord;
import java.nio.file.Files;
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

class TensorflowModelLoaderTest {

    @TempDir
    static Path dir;

    static SyntheticWines wines;
    static TrainedMlp mlp;
    static byte[] frozenGraph;
    static byte[] savedModelZip;

    @BeforeAll
    static void trainAndExport() throws Exception {
        wines = SyntheticWines.generate(300, 42);
        mlp = MlpTrainer.train(wines.features(), wines.quality(), 7, 60);
        mlp.writeFrozenGraph(dir.resolve("frozen/wine.pb"));
        mlp.writeSavedModelZip(dir.resolve("saved/wine.zip"));
        frozenGraph = Files.readAllBytes(dir.resolve("frozen/wine.pb"));
        savedModelZip = Files.readAllBytes(dir.resolve("saved/wine.zip"));
    }

    private ModelFactory factory(Path workDir) {
        return new ModelFactory(LoadingPolicy.defaults().withWorkDir(workDir));
    }

    @Test
    void factoryFindsTheTensorflowLoaderOnTheClassPath() {
        assertThat(factory(dir.resolve("work")).supportedTypes()).contains(ModelDescriptor.ModelType.TENSORFLOW);
    }

    @Test
    void frozenGraphScoresLikeThePlainJavaForwardPass() throws Exception {
        try (Model model = factory(dir.resolve("work")).load(TestModels.descriptor(frozenGraph,
                TensorflowFormat.FROZEN_GRAPH))) {
            assertScoresLikeForwardPass(model);
            assertThat(model.info().details()).contains("frozen graph", "'dense_1_input'", "'dense_3/Sigmoid' [-1,9]");
        }
    }

    @Test
    void savedModelZipScoresLikeThePlainJavaForwardPass() throws Exception {
        Path work = dir.resolve("work-saved");
        try (Model model = factory(work).load(TestModels.descriptor(savedModelZip,
                TensorflowFormat.SAVED_MODEL_ZIP))) {
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
        List<WineRecord> records = SyntheticWines.generate(500, 99).records("wine");
        for (byte[] bytes : List.of(frozenGraph, savedModelZip)) {
            try (Model model = factory(dir.resolve("work")).load(TestModels.descriptor(bytes,
                    TensorflowFormat.TF_FORMAT_UNSPECIFIED))) {
                List<Prediction> batch = model.scoreBatch(records);
                List<Prediction> singles = new ArrayList<>();
                records.forEach(r -> singles.add(model.score(r)));
                assertThat(batch).hasSize(500);
                for (int i = 0; i < 500; i++) {
                    Float32.assertSamePrediction(batch.get(i), singles.get(i), "record " + i);
                }
            }
        }
    }

    @Test
    void concurrentCallersGetTheSameAnswersAsOneCaller() throws Exception {
        List<WineRecord> records = wines.records("wine");
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
                        Float32.assertSamePrediction(got.get(i), expected.get(i), "caller " + t + ", record " + i);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Prediction> scoreInBatches(Model model, List<WineRecord> records, int size) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i += size) {
            out.addAll(model.scoreBatch(records.subList(i, Math.min(records.size(), i + size))));
        }
        return out;
    }

    @Test
    void emptyBatchGivesNoPredictions() throws Exception {
        try (Model model = factory(dir.resolve("work")).load(TestModels.descriptor(frozenGraph,
                TensorflowFormat.FROZEN_GRAPH))) {
            assertThat(model.scoreBatch(List.of())).isEmpty();
        }
    }

    private static void assertScoresLikeForwardPass(Model model) {
        List<WineRecord> records = wines.records("wine");
        List<Prediction> batch = model.scoreBatch(records);
        assertThat(batch).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            double[] expected = mlp.predict(wines.features()[i]);
            for (Prediction p : List.of(batch.get(i), model.score(records.get(i)))) {
                assertThat(p.probabilities()).hasSize(9);
                Map<String, Double> plainJava = new HashMap<>();
                for (int c = 0; c < 9; c++) {
                    plainJava.put(Integer.toString(c), expected[c]);
                }
                // The plain-Java pass computes in double: TF's float32 is within float32's tolerance of it.
                Float32.assertSamePrediction(p, Prediction.classification(
                        Integer.toString(mlp.predictQuality(wines.features()[i])), plainJava), "row " + i);
                int argmax = argmax(p);
                assertThat(p.label()).isEqualTo(Integer.toString(argmax));
                assertThat(p.value()).isEqualTo((double) argmax);
            }
        }
    }

    private static int argmax(Prediction p) {
        int best = 0;
        for (int c = 1; c < 9; c++) {
            if (p.probabilities().get(Integer.toString(c)) > p.probabilities().get(Integer.toString(best))) {
                best = c;
            }
        }
        return best;
    }
}
