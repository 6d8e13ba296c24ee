package dev.modelserving.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineGenerator;
import dev.modelserving.data.WineRow;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed CSV and PMML models are what the regenerate command makes, and the model library scores them as
 * the trainers' own plain-Java predictions say.
 */
class ProjectPmmlModelsTest {

    private static List<WineRow> wines;
    private static Split split;
    private static ModelFactory factory;

    @BeforeAll
    static void readTheCommittedData() {
        wines = ProjectData.wines();
        split = Split.of(wines, Regenerate.TEST_FRACTION, Regenerate.SPLIT_SEED);
        factory = new ModelFactory(LoadingPolicy.defaults());
    }

    @Test
    void theCommittedCsvIsTheGeneratorsOutput() {
        List<WineRow> generated = WineGenerator.generate(ProjectData.WINES, ProjectData.DATA_SEED);
        assertThat(wines).hasSize(generated.size());
        for (int i = 0; i < wines.size(); i++) {
            assertThat(wines.get(i).features()).containsExactly(generated.get(i).features());
            assertThat(wines.get(i).quality()).isEqualTo(generated.get(i).quality());
        }
    }

    @Test
    void theLinearRegressionScoresAsItsCoefficientsSay() throws Exception {
        var trained = LinearRegressionTrainer.train(Split.features(split.train()), Split.qualities(split.train()));
        try (Model model = factory.load(ProjectModel.LINEAR_REGRESSION.descriptor("1"))) {
            List<Features> records = split.test().stream().map(w -> WineFeatures.of(w.toRecord("wine"))).toList();
            List<Prediction> batch = model.scoreBatch(records);
            for (int i = 0; i < records.size(); i++) {
                double expected = trained.predict(split.test().get(i).features());
                assertThat(batch.get(i).value()).isCloseTo(expected, within(1e-9));
                assertThat(model.score(records.get(i)).value()).isCloseTo(expected, within(1e-9));
            }
            assertThat(model.info().details()).startsWith("RegressionModel regression of 'quality' from 11 inputs");
        }
    }

    @Test
    void theDecisionTreeFollowsTheTrainedTreesPathsAndBeatsTheMajorityClass() throws Exception {
        double[][] trainX = Split.features(split.train());
        int[] trainY = Split.qualities(split.train());
        var trained = DecisionTreeTrainer.train(trainX, trainY, Regenerate.TREE_DEPTH, Regenerate.TREE_MIN_LEAF);
        try (Model model = factory.load(ProjectModel.DECISION_TREE.descriptor("1"))) {
            int right = 0;
            for (WineRow w : split.test()) {
                Prediction p = model.score(WineFeatures.of(w.toRecord("wine")));
                int expected = trained.predict(w.features());
                assertThat(p.label()).isEqualTo(String.valueOf(expected));
                assertThat(p.value()).isEqualTo(expected);
                assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
                        .isCloseTo(1.0, within(1e-9));
                assertThat(p.probabilities().get(p.label())).isEqualTo(
                        p.probabilities().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
                right += expected == w.quality() ? 1 : 0;
            }
            double accuracy = (double) right / split.test().size();
            int majority = Metrics.majorityClass(trainY);
            double baseline = Metrics.accuracy(Split.features(split.test()), Split.qualities(split.test()),
                    x -> majority);
            assertThat(accuracy).isGreaterThan(baseline + 0.05);
            assertThat(model.info().details()).startsWith("TreeModel classification of 'quality'");
        }
    }
}
