package dev.modelserving.training;

import dev.modelserving.data.ChurnCsv;
import dev.modelserving.data.ChurnGenerator;
import dev.modelserving.data.ChurnRow;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineCsv;
import dev.modelserving.data.WineGenerator;
import dev.modelserving.data.WineRow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dmg.pmml.PMML;

/**
 * Regenerates the committed data and models: the synthetic wine and churn CSVs, every project model, and the
 * accuracy table in data/README.md. Deterministic: the same seeds give the same files. Run through
 * {@code ./mvnw -q -pl training -am package -DskipTests -Pregenerate}.
 */
public final class Regenerate {

    public static final long SPLIT_SEED = 7L;
    public static final double TEST_FRACTION = 0.2;
    public static final int TREE_DEPTH = 6;
    public static final int TREE_MIN_LEAF = 15;
    public static final long MLP_SEED = 11L;
    public static final int MLP_EPOCHS = 200;
    public static final int CHURN_TREE_DEPTH = 5;
    public static final int CHURN_TREE_MIN_LEAF = 40;
    public static final long CHURN_MLP_SEED = 13L;
    public static final int CHURN_MLP_EPOCHS = 30;

    private Regenerate() {}

    public static void main(String[] args) throws IOException {
        Path module = Path.of(args.length > 0 ? args[0] : "data"); // the data module, where the results go
        Path resources = module.resolve("src/main/resources");
        List<WineRow> wines = WineGenerator.generate(ProjectData.WINES, ProjectData.DATA_SEED);
        write(resources.resolve(ProjectData.WINE_CSV), out -> {
            try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                WineCsv.write(wines, w);
            }
        });

        Split split = Split.of(wines, TEST_FRACTION, SPLIT_SEED);
        double[][] trainX = Split.features(split.train());
        int[] trainY = Split.qualities(split.train());
        double[][] testX = Split.features(split.test());
        int[] testY = Split.qualities(split.test());
        List<String> table = new ArrayList<>();
        table.add("| model | held-out measure | model | baseline |");
        table.add("|---|---|---|---|");

        var linear = LinearRegressionTrainer.train(trainX, trainY);
        double mean = Metrics.mean(trainY);
        table.add(row(ProjectModel.LINEAR_REGRESSION, "RMSE (lower is better)", Metrics.rmse(testX, testY, linear::predict),
                Metrics.rmse(testX, testY, x -> mean), "predict the training mean " + fmt(mean)));
        write(resources.resolve(ProjectModel.LINEAR_REGRESSION.resource),
                out -> writePmml(linear.toPmml(ProjectModel.LINEAR_REGRESSION.description), out));

        var tree = DecisionTreeTrainer.train(trainX, trainY, TREE_DEPTH, TREE_MIN_LEAF);
        int majority = Metrics.majorityClass(trainY);
        table.add(row(ProjectModel.DECISION_TREE, "accuracy", Metrics.accuracy(testX, testY, tree::predict),
                Metrics.accuracy(testX, testY, x -> majority), "always predict " + majority));
        write(resources.resolve(ProjectModel.DECISION_TREE.resource),
                out -> writePmml(tree.toPmml(ProjectModel.DECISION_TREE.description), out));

        TrainedMlp mlp = MlpTrainer.train(trainX, trainY, MLP_SEED, MLP_EPOCHS);
        table.add(row(ProjectModel.MLP_FROZEN_GRAPH, "accuracy", Metrics.accuracy(testX, testY, mlp::predictQuality),
                Metrics.accuracy(testX, testY, x -> majority), "always predict " + majority));
        table.add("| " + ProjectModel.MLP_SAVED_MODEL.modelName() + " | (the same network as a SavedModel) | | |");
        write(resources.resolve(ProjectModel.MLP_FROZEN_GRAPH.resource), out -> out.write(mlp.frozenGraphBytes()));
        Path zip = resources.resolve(ProjectModel.MLP_SAVED_MODEL.resource);
        mlp.writeSavedModelZip(zip);
        System.out.println("wrote " + zip + " (" + Files.size(zip) + " bytes)");

        ChurnSplit churn = churn(resources, table);
        updateReadme(module.resolve("README.md"), table, split, churn);
        table.forEach(System.out::println);
    }

    /** Writes the churn CSV and the three churn models, and adds their rows to the table. */
    private static ChurnSplit churn(Path resources, List<String> table) throws IOException {
        List<ChurnRow> customers = ChurnGenerator.generate(ProjectData.CHURN_ROWS, ProjectData.CHURN_SEED);
        write(resources.resolve(ProjectData.CHURN_CSV), out -> {
            try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                ChurnCsv.write(customers, w);
            }
        });
        ChurnSplit split = ChurnSplit.of(customers, TEST_FRACTION, SPLIT_SEED);
        double[][] trainX = ChurnFeatures.matrix(split.train());
        int[] trainY = ChurnFeatures.labels(split.train());
        double[][] testX = ChurnFeatures.matrix(split.test());
        int[] testY = ChurnFeatures.labels(split.test());
        int majority = Metrics.majorityClass(trainY);
        double baseline = Metrics.accuracy(testX, testY, x -> majority);
        String always = "always predict " + ChurnRow.LABELS.get(majority);

        var tree = ChurnTreeTrainer.train(trainX, trainY, CHURN_TREE_DEPTH, CHURN_TREE_MIN_LEAF);
        table.add(row(ProjectModel.CHURN_DECISION_TREE, "accuracy", Metrics.accuracy(testX, testY, tree::predict),
                baseline, always));
        write(resources.resolve(ProjectModel.CHURN_DECISION_TREE.resource),
                out -> writePmml(tree.toPmml(ProjectModel.CHURN_DECISION_TREE.description), out));

        var logistic = LogisticRegressionTrainer.train(trainX, trainY);
        table.add(row(ProjectModel.CHURN_LOGISTIC_REGRESSION, "accuracy",
                Metrics.accuracy(testX, testY, logistic::predict), baseline, always));
        write(resources.resolve(ProjectModel.CHURN_LOGISTIC_REGRESSION.resource),
                out -> writePmml(logistic.toPmml(ProjectModel.CHURN_LOGISTIC_REGRESSION.description), out));

        List<String> inputs = ProjectModel.CHURN_MLP.inputs();
        TrainedMlp mlp = MlpTrainer.train(MlpSpec.CHURN, ChurnFeatures.columns(trainX, inputs), trainY,
                CHURN_MLP_SEED, CHURN_MLP_EPOCHS);
        table.add(row(ProjectModel.CHURN_MLP, "accuracy",
                Metrics.accuracy(ChurnFeatures.columns(testX, inputs), testY, mlp::predictClass), baseline, always));
        write(resources.resolve(ProjectModel.CHURN_MLP.resource), out -> out.write(mlp.frozenGraphBytes()));
        return split;
    }

    private static String row(ProjectModel m, String measure, double model, double baseline, String how) {
        return "| " + m.modelName() + " | " + measure + " | " + fmt(model) + " | " + fmt(baseline) + " (" + how + ") |";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void writePmml(PMML pmml, OutputStream out) throws IOException {
        PmmlDocuments.write(pmml, out);
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void write(Path file, Content content) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            content.writeTo(out);
        }
        System.out.println("wrote " + file + " (" + Files.size(file) + " bytes)");
    }

    private static void updateReadme(Path readme, List<String> table, Split split, ChurnSplit churn)
            throws IOException {
        String start = "<!-- metrics:start -->";
        String end = "<!-- metrics:end -->";
        String text = Files.exists(readme) ? Files.readString(readme) : start + "\n" + end + "\n";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(readme + " has no " + start + " ... " + end + " section");
        }
        String body = "Held out: " + split.test().size() + " of " + (split.test().size() + split.train().size())
                + " wines and " + churn.test().size() + " of " + (churn.test().size() + churn.train().size())
                + " customers (seed " + SPLIT_SEED + ").\n\n" + String.join("\n", table) + "\n";
        Files.writeString(readme, text.substring(0, from + start.length()) + "\n" + body + text.substring(to));
    }
}
