package dev.modelserving.model.pmml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.Features;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.ScoringException;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import dev.modelserving.proto.WineRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every model kind Spark ML exports to PMML (through JPMML-SparkML) loads and scores exactly as its hand-written
 * coefficients say. Expected values are computed here with plain arithmetic from the same literals as the fixtures
 * under {@code pmml/spark/}; the numbers in comments are those results, rounded.
 */
class SparkPmmlKindsTest {

    private static final double EPS = 1e-9;

    // UCI order: fixed acidity, volatile acidity, citric acid, residual sugar, chlorides, free sulfur dioxide,
    // total sulfur dioxide, density, pH, sulphates, alcohol. Chosen to take different paths through every model.
    private static final WineRecord LOW = WineFeatures.record("wine",
            7.4, 0.70, 0.00, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
    private static final WineRecord MID = WineFeatures.record("wine",
            8.5, 0.40, 0.30, 2.0, 0.080, 15, 40, 0.9970, 3.20, 0.60, 9.8);
    private static final WineRecord HIGH = WineFeatures.record("wine",
            7.3, 0.30, 0.45, 2.2, 0.070, 20, 50, 0.9950, 3.30, 0.75, 12.8);
    private static final List<WineRecord> WINES = List.of(LOW, MID, HIGH);

    private final ModelFactory factory = new ModelFactory(LoadingPolicy.defaults());

    @Test
    void treeClassifierFollowsTheSplitsToALeafAndGivesItsClassDistribution() throws Exception {
        try (Model model = load("tree-classification.pmml")) {
            assertThat(model.info().details()).contains("TreeModel", "classification");
            // alcohol 9.4 <= 10.5, volatile acidity 0.70 > 0.6: leaf counts 70/25/5 of 100
            assertClass(model.score(WineFeatures.of(LOW)), "5", 70 / 100.0, 25 / 100.0, 5 / 100.0);
            // alcohol 9.8 <= 10.5, volatile acidity 0.40 <= 0.6: leaf counts 20/60/20 of 100
            assertClass(model.score(WineFeatures.of(MID)), "6", 20 / 100.0, 60 / 100.0, 20 / 100.0);
            // alcohol 12.8 > 10.5, sulphates 0.75 > 0.65: leaf counts 5/35/60 of 100
            assertClass(model.score(WineFeatures.of(HIGH)), "7", 5 / 100.0, 35 / 100.0, 60 / 100.0);
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void aClassifierThatDeclaresNoProbabilityOutputsStillGivesItsProbabilities() throws Exception {
        String text = new String(bytes("tree-classification.pmml"), StandardCharsets.UTF_8)
                .replaceAll("(?s)<Output>.*?</Output>", "");
        assertThat(text).doesNotContain("<Output>");
        try (Model model = load("tree-without-outputs", text.getBytes(StandardCharsets.UTF_8))) {
            assertClass(model.score(WineFeatures.of(LOW)), "5", 70 / 100.0, 25 / 100.0, 5 / 100.0);
        }
    }

    @Test
    void treeRegressorReturnsTheScoreOfTheLeafTheSplitsLeadTo() throws Exception {
        try (Model model = load("tree-regression.pmml")) {
            assertThat(model.info().details()).contains("TreeModel", "regression");
            assertRegression(model.score(WineFeatures.of(LOW)), 5.5); // alcohol 9.4 <= 10.0, pH 3.51 > 3.3
            assertRegression(model.score(WineFeatures.of(MID)), 5.25); // alcohol 9.8 <= 10.0, pH 3.20 <= 3.3
            assertRegression(model.score(WineFeatures.of(HIGH)), 6.375); // alcohol 12.8 > 10.0, fixed_acidity 7.3 <= 8.0
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void gaussianGlmIsTheLinearPredictorThroughTheIdentityLink() throws Exception {
        try (Model model = load("glm-gaussian.pmml")) {
            assertThat(model.info().details()).contains("GeneralRegressionModel", "regression");
            for (WineRecord r : WINES) {
                // LOW 5.768, MID 6.07, HIGH 7.165
                assertRegression(model.score(WineFeatures.of(r)),
                        2.5 + 0.3 * r.getAlcohol() + 0.8 * r.getSulphates() + 0.5 * r.getCitricAcid());
            }
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void gammaGlmWithSparksDefaultInverseLinkIsOneOverTheLinearPredictor() throws Exception {
        try (Model model = load("glm-gamma-inverse.pmml")) {
            assertThat(model.info().details()).contains("GeneralRegressionModel", "regression");
            for (WineRecord r : WINES) {
                // eta: LOW 0.16235, MID 0.156, HIGH 0.1235; 1/eta: LOW 6.1595, MID 6.4103, HIGH 8.0972
                double eta = 0.25 - 0.01 * r.getAlcohol() - 0.02 * r.getSulphates() + 0.005 * r.getPH();
                assertRegression(model.score(WineFeatures.of(r)), 1 / eta);
            }
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void gammaGlmWithLogLinkIsExpOfTheLinearPredictor() throws Exception {
        try (Model model = load("glm-gamma-log.pmml")) {
            assertThat(model.info().details()).contains("GeneralRegressionModel", "regression");
            for (WineRecord r : WINES) {
                // eta: LOW 1.717, MID 1.792, HIGH 1.952; exp(eta): LOW 5.5678, MID 6.0014, HIGH 7.0428
                double eta = 1.2 + 0.04 * r.getAlcohol() + 0.1 * r.getPH() - 0.3 * r.getVolatileAcidity();
                assertRegression(model.score(WineFeatures.of(r)), Math.exp(eta));
            }
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void linearRegressionIsTheInterceptPlusCoefficientsTimesInputs() throws Exception {
        try (Model model = load("linear-regression.pmml")) {
            assertThat(model.info().details()).contains("RegressionModel", "regression");
            for (WineRecord r : WINES) {
                // LOW 4.92, MID 5.635, HIGH 6.84
                assertRegression(model.score(WineFeatures.of(r)), 3.0 + 0.05 * r.getFixedAcidity() - 1.2 * r.getVolatileAcidity()
                        + 0.35 * r.getAlcohol() - 0.4 * r.getPH() + 0.9 * r.getSulphates());
            }
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void multilayerPerceptronIsALogisticHiddenLayerThenSoftmax() throws Exception {
        try (Model model = load("mlp-classification.pmml")) {
            assertThat(model.info().details()).contains("NeuralNetwork", "classification");
            // LOW: h = (0.3543, 0.6225), o = (1.7811, 1, -1.4732), p = (0.6682, 0.3060, 0.0258)
            assertClass(model.score(WineFeatures.of(LOW)), "5", mlpProbabilities(LOW));
            // MID: h = (0.4502, 0.2689), o = (0.1754, 1, -0.2871), p = (0.2557, 0.5833, 0.1610)
            assertClass(model.score(WineFeatures.of(MID)), "6", mlpProbabilities(MID));
            // HIGH: h = (0.9427, 0.1824), o = (-1.1556, 1, 2.3485), p = (0.0233, 0.2013, 0.7754)
            assertClass(model.score(WineFeatures.of(HIGH)), "7", mlpProbabilities(HIGH));
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void randomForestAveragesTheTreesProbabilities() throws Exception {
        try (Model model = load("random-forest-classification.pmml")) {
            assertThat(model.info().details()).contains("MiningModel", "classification");
            // trees: alcohol 9.4 <= 10.25 (6,3,1), volatile acidity 0.70 > 0.5 (7,2,1), sulphates 0.56 <= 0.7 (3,5,2)
            // mean: (0.5333, 0.3333, 0.1333)
            assertClass(model.score(WineFeatures.of(LOW)), "5",
                    (0.6 + 0.7 + 0.3) / 3, (0.3 + 0.2 + 0.5) / 3, (0.1 + 0.1 + 0.2) / 3);
            // trees: alcohol 9.8 <= 10.25 (6,3,1), volatile acidity 0.40 <= 0.5 (2,6,2), sulphates 0.60 <= 0.7 (3,5,2)
            // mean: (0.3667, 0.4667, 0.1667)
            assertClass(model.score(WineFeatures.of(MID)), "6",
                    (0.6 + 0.2 + 0.3) / 3, (0.3 + 0.6 + 0.5) / 3, (0.1 + 0.2 + 0.2) / 3);
            // trees: alcohol 12.8 > 10.25 (1,4,5), volatile acidity 0.30 <= 0.5 (2,6,2), sulphates 0.75 > 0.7 (1,2,7)
            // mean: (0.1333, 0.4, 0.4667)
            assertClass(model.score(WineFeatures.of(HIGH)), "7",
                    (0.1 + 0.2 + 0.1) / 3, (0.4 + 0.6 + 0.2) / 3, (0.5 + 0.2 + 0.7) / 3);
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void uciHeaderNamesWithSpacesMapOntoTheRecordFields() throws Exception {
        try (Model model = load("uci-names-regression.pmml")) {
            assertThat(model.info().details()).contains("RegressionModel", "from 11 inputs");
            for (WineRecord r : WINES) {
                // LOW 5.693524, MID 6.39176, HIGH 7.7436
                double expected = 1.0 + 0.01 * r.getFixedAcidity() + 0.02 * r.getVolatileAcidity()
                        + 0.03 * r.getCitricAcid() + 0.04 * r.getResidualSugar() + 0.05 * r.getChlorides()
                        + 0.06 * r.getFreeSulfurDioxide() + 0.07 * r.getTotalSulfurDioxide() + 0.08 * r.getDensity()
                        + 0.09 * r.getPH() + 0.10 * r.getSulphates() + 0.11 * r.getAlcohol();
                assertRegression(model.score(WineFeatures.of(r)), expected);
            }
            assertBatchScoresLikeSingles(model);
        }
    }

    @Test
    void aRecordWithoutAnInputTheModelNeedsFailsNamingTheInput() throws Exception {
        try (Model model = load("unknown-field-regression.pmml")) {
            assertThat(model.inputs()).extracting(ModelInput::name).contains("color");
            assertThatThrownBy(() -> model.score(WineFeatures.of(LOW)))
                    .isInstanceOf(ScoringException.class)
                    .hasMessageContaining("lacks the model's inputs [color]");
        }
    }

    /** The fixture's 2-2-3 network: logistic hidden neurons, identity outputs normalised by softmax. */
    private static double[] mlpProbabilities(WineRecord r) {
        double h1 = sigmoid(-10 + 1 * r.getAlcohol() + 0 * r.getVolatileAcidity());
        double h2 = sigmoid(-3 + 0 * r.getAlcohol() + 5 * r.getVolatileAcidity());
        double e5 = Math.exp(0 - 2 * h1 + 4 * h2);
        double e6 = Math.exp(1 + 0 * h1 + 0 * h2);
        double e7 = Math.exp(-2 + 5 * h1 - 2 * h2);
        double sum = e5 + e6 + e7;
        return new double[] {e5 / sum, e6 / sum, e7 / sum};
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private Model load(String fixture) throws ModelLoadException, IOException {
        return load(fixture, bytes(fixture));
    }

    private static byte[] bytes(String fixture) throws IOException {
        try (InputStream in = SparkPmmlKindsTest.class.getResourceAsStream("/pmml/spark/" + fixture)) {
            assertThat(in).as("fixture %s", fixture).isNotNull();
            return in.readAllBytes();
        }
    }

    private Model load(String name, byte[] bytes) throws ModelLoadException {
        return factory.load(ModelDescriptor.newBuilder()
                .setName(name)
                .setDataType("wine")
                .setModeltype(ModelType.PMML)
                .setData(ByteString.copyFrom(bytes))
                .build());
    }

    private static void assertRegression(Prediction p, double expected) {
        assertThat(p.value()).isCloseTo(expected, within(EPS));
        assertThat(p.label()).isNull();
        assertThat(p.probabilities()).isEmpty();
    }

    private static void assertClass(Prediction p, String label, double... p567) {
        assertThat(p.label()).isEqualTo(label);
        assertThat(p.value()).isEqualTo(Double.parseDouble(label));
        assertThat(p.probabilities()).containsOnlyKeys("5", "6", "7");
        assertThat(p.probabilities().get("5")).isCloseTo(p567[0], within(EPS));
        assertThat(p.probabilities().get("6")).isCloseTo(p567[1], within(EPS));
        assertThat(p.probabilities().get("7")).isCloseTo(p567[2], within(EPS));
    }

    private static void assertBatchScoresLikeSingles(Model model) {
        List<Features> wines = WINES.stream().map(WineFeatures::of).toList();
        assertThat(model.scoreBatch(wines)).containsExactlyElementsOf(wines.stream().map(model::score).toList());
    }
}
