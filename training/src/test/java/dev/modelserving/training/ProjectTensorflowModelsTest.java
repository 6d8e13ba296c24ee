package dev.modelserving.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed TensorFlow MLP learned something: on the wines held out of its training it beats always answering
 * the training data's most common quality. (That it scores as its weights say is model-tensorflow's test.)
 */
class ProjectTensorflowModelsTest {

    @TempDir
    Path work;

    @Test
    void theMlpBeatsTheMajorityClassOnHeldOutWines() throws Exception {
        Split split = Split.of(ProjectData.wines(), Regenerate.TEST_FRACTION, Regenerate.SPLIT_SEED);
        double[][] x = Split.features(split.test());
        int[] y = Split.qualities(split.test());
        int majority = Metrics.majorityClass(Split.qualities(split.train()));
        for (ProjectModel m : List.of(ProjectModel.MLP_FROZEN_GRAPH, ProjectModel.MLP_SAVED_MODEL)) {
            try (Model model = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)).load(m.descriptor("1"))) {
                List<Features> records = split.test().stream().map(w -> WineFeatures.of(w.toRecord("wine"))).toList();
                List<Prediction> predictions = model.scoreBatch(records);
                int right = 0;
                for (int i = 0; i < y.length; i++) {
                    right += Integer.parseInt(predictions.get(i).label()) == y[i] ? 1 : 0;
                }
                assertThat((double) right / y.length).as(m.name())
                        .isGreaterThan(Metrics.accuracy(x, y, f -> majority) + 0.05);
            }
        }
    }
}
