package dev.modelserving.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.data.ChurnRow;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MissingValueTreatmentMethod;
import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.EvaluatorUtil;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.modelserving.model.Features;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.Prediction;
import java.nio.file.Path;
import java.util.List;

/**
 * The committed churn PMML models are what their trainers make, and jpmml (called directly: values by field name,
 * strings for plan and region, a Boolean for paperless, Integer and Double for the numbers) scores every held-out
 * customer as the trainers' own plain-Java predictions say, missing inputs included.
 */
class ChurnPmmlModelsTest {

    private static final String YES = "probability(yes)";

    private static ChurnSplit split;
    private static double[][] testX;
    private static int[] testY;
    private static double baseline;
    private static ChurnTreeTrainer.ChurnTree tree;
    private static LogisticRegressionTrainer.LogisticModel logistic;

    @BeforeAll
    static void trainOnTheCommittedCustomers() {
        split = ChurnSplit.of(ProjectData.churnRows(), Regenerate.TEST_FRACTION, Regenerate.SPLIT_SEED);
        double[][] trainX = ChurnFeatures.matrix(split.train());
        int[] trainY = ChurnFeatures.labels(split.train());
        testX = ChurnFeatures.matrix(split.test());
        testY = ChurnFeatures.labels(split.test());
        int majority = Metrics.majorityClass(trainY);
        baseline = Metrics.accuracy(testX, testY, x -> majority);
        tree = ChurnTreeTrainer.train(trainX, trainY, Regenerate.CHURN_TREE_DEPTH, Regenerate.CHURN_TREE_MIN_LEAF);
        logistic = LogisticRegressionTrainer.train(trainX, trainY);
    }

    @Test
    void theCommittedDocumentsAreTheTrainersOutput() throws Exception {
        assertThat(text(ProjectModel.CHURN_DECISION_TREE.bytes()))
                .isEqualTo(text(pmml(tree.toPmml(ProjectModel.CHURN_DECISION_TREE.description))));
        assertThat(text(ProjectModel.CHURN_LOGISTIC_REGRESSION.bytes()))
                .isEqualTo(text(pmml(logistic.toPmml(ProjectModel.CHURN_LOGISTIC_REGRESSION.description))));
    }

    @Test
    void theTreeSplitsOnCategoricalValuesAndThresholdsAndBeatsTheMajorityClass() {
        assertThat(tree.splitsOn(ChurnFeatures.PLAN)).isTrue();
        assertThat(tree.splitsOn(ChurnFeatures.REGION)).isTrue();
        assertThat(tree.splitsOn(ChurnFeatures.TENURE)).isTrue();
        assertThat(tree.depth()).isEqualTo(Regenerate.CHURN_TREE_DEPTH);
        assertThat(tree.leaves()).isGreaterThan(8);
        String document = text(ProjectModel.CHURN_DECISION_TREE.bytes());
        assertThat(document).contains("<SimpleSetPredicate field=\"plan\" booleanOperator=\"isIn\">",
                "<SimpleSetPredicate field=\"region\" booleanOperator=\"isIn\">",
                "<SimplePredicate field=\"tenure\" operator=\"lessOrEqual\"",
                "missingValueStrategy=\"none\"", "noTrueChildStrategy=\"returnNullPrediction\"",
                "<DataField name=\"paperless\" optype=\"categorical\" dataType=\"boolean\">");
        assertThat(Metrics.accuracy(testX, testY, tree::predict)).isGreaterThan(baseline + 0.05);
    }

    @Test
    void jpmmlScoresEveryHeldOutCustomerAsTheTrainedTree() throws Exception {
        Evaluator evaluator = evaluator(ProjectModel.CHURN_DECISION_TREE);
        for (int i = 0; i < testX.length; i++) {
            Map<String, ?> result = evaluator.evaluate(split.test().get(i).values());
            ChurnTreeTrainer.ChurnTree leaf = tree.leaf(testX[i]);
            assertThat(EvaluatorUtil.decode(result.get(ChurnRow.CHURNED))).as("customer %d", i)
                    .isEqualTo(ChurnRow.LABELS.get(leaf.majority()));
            assertThat((Double) result.get(YES)).isEqualTo(leaf.probability(1));
            assertThat((Double) result.get("probability(no)")).isEqualTo(leaf.probability(0));
        }
    }

    @Test
    void theTreeGivesNoPredictionWhenASplitOnItsPathTestsAMissingPlan() throws Exception {
        Evaluator evaluator = evaluator(ProjectModel.CHURN_DECISION_TREE);
        int unscored = 0;
        for (ChurnRow customer : split.test()) {
            Map<String, Object> values = customer.values();
            values.remove(ChurnRow.PLAN);
            Map<String, ?> result = evaluator.evaluate(values);
            ChurnTreeTrainer.ChurnTree leaf = tree.leaf(ChurnFeatures.encode(values));
            if (leaf == null) {
                unscored++;
                assertThat(result.get(ChurnRow.CHURNED)).isNull();
                assertThat(result.get(YES)).isNull();
            } else {
                assertThat(EvaluatorUtil.decode(result.get(ChurnRow.CHURNED)))
                        .isEqualTo(ChurnRow.LABELS.get(leaf.majority()));
            }
        }
        // The root splits on tenure; only the customers whose path reaches a plan split lose their prediction.
        assertThat(unscored).isBetween(1, split.test().size() - 1);
    }

    @Test
    void paperlessMayAlsoBeTheStringsTrueAndFalse() throws Exception {
        for (ProjectModel m : new ProjectModel[] {ProjectModel.CHURN_DECISION_TREE,
                ProjectModel.CHURN_LOGISTIC_REGRESSION}) {
            Evaluator evaluator = evaluator(m);
            for (ChurnRow customer : split.test().subList(0, 200)) {
                Map<String, Object> values = customer.values();
                values.put(ChurnRow.PAPERLESS, String.valueOf(customer.paperless()));
                assertThat(evaluator.evaluate(values).get(YES)).as(m.name())
                        .isEqualTo(evaluator.evaluate(customer.values()).get(YES));
            }
        }
    }

    @Test
    void jpmmlScoresEveryHeldOutCustomerAsTheLogisticRegressionAndItBeatsTheMajorityClass() throws Exception {
        Evaluator evaluator = evaluator(ProjectModel.CHURN_LOGISTIC_REGRESSION);
        for (int i = 0; i < testX.length; i++) {
            Map<String, ?> result = evaluator.evaluate(split.test().get(i).values());
            double expected = logistic.probability(testX[i]);
            assertThat((Double) result.get(YES)).as("customer %d", i).isCloseTo(expected, within(1e-12));
            assertThat(EvaluatorUtil.decode(result.get(ChurnRow.CHURNED)))
                    .isEqualTo(ChurnRow.LABELS.get(logistic.predict(testX[i])));
        }
        assertThat(Metrics.accuracy(testX, testY, logistic::predict)).isGreaterThan(baseline + 0.05);
        assertThat(logistic.steps()).isLessThan(LogisticRegressionTrainer.MAX_STEPS);
    }

    @Test
    void theModelLibraryLoadsBothAndScoresCustomersFedByNameAsTheTrainersSay(@TempDir Path work) throws Exception {
        ModelFactory factory = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work));
        try (Model treeModel = factory.load(ProjectModel.CHURN_DECISION_TREE.descriptor("1"));
                Model logisticModel = factory.load(ProjectModel.CHURN_LOGISTIC_REGRESSION.descriptor("1"))) {
            assertThat(treeModel.inputs()).extracting(ModelInput::name)
                    .containsExactlyInAnyOrderElementsOf(ChurnRow.INPUTS);
            assertThat(treeModel.inputs().stream().filter(i -> i.name().equals(ChurnRow.PLAN)).findFirst()
                    .orElseThrow().categories()).containsExactlyInAnyOrderElementsOf(ChurnRow.PLANS);
            List<Features> records = split.test().stream().map(c -> Features.of("churn", c.values())).toList();
            List<Prediction> trees = treeModel.scoreBatch(records);
            List<Prediction> logistics = logisticModel.scoreBatch(records);
            for (int i = 0; i < testX.length; i++) {
                ChurnTreeTrainer.ChurnTree leaf = tree.leaf(testX[i]);
                assertThat(trees.get(i).label()).as("customer %d", i)
                        .isEqualTo(ChurnRow.LABELS.get(leaf.majority()));
                assertThat(logistics.get(i).label()).isEqualTo(ChurnRow.LABELS.get(logistic.predict(testX[i])));
                assertThat(logistics.get(i).probabilities().get("yes"))
                        .isCloseTo(logistic.probability(testX[i]), within(1e-12));
            }
        }
    }

    @Test
    void theLogisticRegressionScoresACustomerWithoutSupportCallsAsOneWithTheMedian() throws Exception {
        Evaluator evaluator = evaluator(ProjectModel.CHURN_LOGISTIC_REGRESSION);
        InputField input = evaluator.getInputFields().stream()
                .filter(f -> f.getName().equals(ChurnRow.SUPPORT_CALLS)).findFirst().orElseThrow();
        MiningField field = input.getMiningField();
        assertThat(field.getMissingValueTreatment()).isEqualTo(MissingValueTreatmentMethod.AS_MEDIAN);
        assertThat(field.getMissingValueReplacement()).hasToString(String.valueOf(logistic.supportCallsMedian()));
        int[] calls = split.train().stream().mapToInt(ChurnRow::supportCalls).sorted().toArray();
        assertThat(logistic.supportCallsMedian()).isEqualTo(calls[(calls.length - 1) / 2]);

        for (ChurnRow customer : split.test().subList(0, 200)) {
            Map<String, Object> values = customer.values();
            values.remove(ChurnRow.SUPPORT_CALLS);
            Map<String, Object> median = new HashMap<>(customer.values());
            median.put(ChurnRow.SUPPORT_CALLS, logistic.supportCallsMedian());
            Map<String, ?> result = evaluator.evaluate(values);
            assertThat(result.get(ChurnRow.CHURNED)).isNotNull();
            assertThat((Double) result.get(YES)).isCloseTo(logistic.probability(ChurnFeatures.encode(values)),
                    within(1e-12)).isEqualTo(evaluator.evaluate(median).get(YES));
        }
    }

    private static Evaluator evaluator(ProjectModel m) throws Exception {
        Evaluator evaluator = new LoadingModelEvaluatorBuilder().load(new ByteArrayInputStream(m.bytes())).build();
        evaluator.verify();
        return evaluator;
    }

    private static byte[] pmml(PMML document) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PmmlDocuments.write(document, out);
        return out.toByteArray();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
