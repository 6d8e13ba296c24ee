package dev.modelserving.training;

import dev.modelserving.model.WineFeatures;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.dmg.pmml.ComplexScoreDistribution;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Predicate;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.True;
import org.dmg.pmml.tree.ComplexNode;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;

/**
 * A CART classification tree (Gini impurity, binary splits {@code x <= threshold}), exported as a PMML TreeModel
 * whose inputs carry the UCI column names ("fixed acidity", ...).
 */
public final class DecisionTreeTrainer {

    /** Classes are qualities 0..10; a leaf predicts its most frequent class. */
    static final int CLASSES = 11;

    /** A node: a split on {@code feature <= threshold}, or a leaf (feature -1) with class counts. */
    public record TreeNode(int feature, double threshold, TreeNode left, TreeNode right, int[] counts) {

        boolean isLeaf() {
            return feature < 0;
        }

        public int predict(double[] x) {
            TreeNode n = this;
            while (!n.isLeaf()) {
                n = x[n.feature] <= n.threshold ? n.left : n.right;
            }
            return n.majority();
        }

        int majority() {
            int best = 0;
            for (int c = 1; c < counts.length; c++) {
                best = counts[c] > counts[best] ? c : best;
            }
            return best;
        }

        public int depth() {
            return isLeaf() ? 0 : 1 + Math.max(left.depth(), right.depth());
        }

        public int leaves() {
            return isLeaf() ? 1 : left.leaves() + right.leaves();
        }

        public PMML toPmml(String description) {
            List<String> names = WineFeatures.UCI_NAMES;
            List<Integer> classes = IntStream.range(0, CLASSES).filter(c -> counts[c] > 0).boxed().toList();
            TreeModel model = new TreeModel(MiningFunction.CLASSIFICATION, PmmlDocuments.miningSchema(names),
                    toNode(True.INSTANCE, classes, new int[] {0}))
                    .setSplitCharacteristic(TreeModel.SplitCharacteristic.BINARY_SPLIT)
                    .setMissingValueStrategy(TreeModel.MissingValueStrategy.NULL_PREDICTION)
                    .setOutput(PmmlDocuments.probabilityOutputs(classes));
            return PmmlDocuments.document(description, names, PmmlDocuments.categoricalQuality(classes), model);
        }

        private Node toNode(Predicate predicate, List<Integer> classes, int[] ids) {
            int total = Arrays.stream(counts).sum();
            ComplexNode node = new ComplexNode(majority(), predicate).setId(String.valueOf(++ids[0]))
                    .setRecordCount(total);
            for (int c : classes) {
                node.addScoreDistributions(new ComplexScoreDistribution(c, counts[c])
                        .setProbability((double) counts[c] / total));
            }
            if (!isLeaf()) {
                String name = WineFeatures.UCI_NAMES.get(feature);
                node.addNodes(
                        left.toNode(new SimplePredicate(name, SimplePredicate.Operator.LESS_OR_EQUAL, threshold),
                                classes, ids),
                        right.toNode(new SimplePredicate(name, SimplePredicate.Operator.GREATER_THAN, threshold),
                                classes, ids));
            }
            return node;
        }
    }

    private DecisionTreeTrainer() {}

    public static TreeNode train(double[][] x, int[] y, int maxDepth, int minLeaf) {
        return grow(x, y, IntStream.range(0, y.length).toArray(), maxDepth, minLeaf);
    }

    private static TreeNode grow(double[][] x, int[] y, int[] rows, int depthLeft, int minLeaf) {
        int[] counts = Gini.counts(y, rows, CLASSES);
        Best best = depthLeft == 0 ? null : bestSplit(x, y, rows, counts, minLeaf);
        if (best == null) {
            return new TreeNode(-1, 0, null, null, counts);
        }
        int[] left = Arrays.stream(rows).filter(r -> x[r][best.feature] <= best.threshold).toArray();
        int[] right = Arrays.stream(rows).filter(r -> x[r][best.feature] > best.threshold).toArray();
        return new TreeNode(best.feature, best.threshold, grow(x, y, left, depthLeft - 1, minLeaf),
                grow(x, y, right, depthLeft - 1, minLeaf), counts);
    }

    private record Best(int feature, double threshold, double impurity) {}

    /** The split with the lowest weighted Gini impurity, if any improves on the node's own. */
    private static Best bestSplit(double[][] x, int[] y, int[] rows, int[] counts, int minLeaf) {
        int n = rows.length;
        Best best = null;
        double parent = Gini.impurity(counts, n);
        for (int f = 0; f < WineFeatures.COUNT; f++) {
            int feature = f;
            Integer[] sorted = Arrays.stream(rows).boxed().sorted((a, b) -> Double.compare(x[a][feature], x[b][feature]))
                    .toArray(Integer[]::new);
            int[] left = new int[CLASSES];
            int[] right = counts.clone();
            for (int i = 0; i < n - 1; i++) {
                int label = y[sorted[i]];
                left[label]++;
                right[label]--;
                double here = x[sorted[i]][f];
                double next = x[sorted[i + 1]][f];
                if (here == next || i + 1 < minLeaf || n - i - 1 < minLeaf) {
                    continue;
                }
                double impurity = (Gini.impurity(left, i + 1) * (i + 1) + Gini.impurity(right, n - i - 1) * (n - i - 1)) / n;
                if (impurity < parent - 1e-12 && (best == null || impurity < best.impurity)) {
                    best = new Best(f, (here + next) / 2, impurity);
                }
            }
        }
        return best;
    }
}
