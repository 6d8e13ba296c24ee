package dev.modelserving.training;

import dev.modelserving.data.ChurnRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.dmg.pmml.Array;
import org.dmg.pmml.ComplexArray;
import org.dmg.pmml.ComplexScoreDistribution;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Predicate;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.SimpleSetPredicate;
import org.dmg.pmml.True;
import org.dmg.pmml.tree.ComplexNode;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;

/**
 * A CART classification tree of churn (Gini impurity, binary splits) on the {@link ChurnFeatures} inputs: a
 * numeric input splits at a threshold ({@code x <= t} left), a categorical one into two sets of its values. The
 * categorical split is found by ordering the values the node's customers have by their share of churners and
 * trying each cut of that order, which for two classes finds the best of all subsets (Breiman et al., CART, 1984).
 *
 * <p>Exported as a PMML TreeModel: {@code SimplePredicate}s ({@code lessOrEqual}/{@code greaterThan}) on numbers,
 * {@code SimpleSetPredicate}s ({@code isIn}, both sides listing their values; values no training customer at the
 * node had go right) on plan, region and paperless, class counts and probabilities in every node's
 * {@code ScoreDistribution}s. Its {@code missingValueStrategy} is {@code none} and its {@code noTrueChildStrategy}
 * {@code returnNullPrediction}: a split on an input the record lacks is true on neither side, so such a record
 * gets no prediction (jpmml: a null target value). A record that lacks only inputs its path never tests is scored.
 */
public final class ChurnTreeTrainer {

    static final int CLASSES = ChurnRow.LABELS.size();

    /**
     * A node: a split of {@code feature} (numeric: {@code x <= threshold} goes left; categorical: the values whose
     * {@code left} entry is true go left), or a leaf (feature -1). Every node holds its training class counts.
     */
    public record ChurnTree(int feature, double threshold, boolean[] left, ChurnTree low, ChurnTree high,
            int[] counts) {

        boolean isLeaf() {
            return feature < 0;
        }

        /**
         * The leaf {@code x} reaches, or null when a split on its way tests an input {@code x} lacks (NaN), as the
         * PMML document does.
         */
        public ChurnTree leaf(double[] x) {
            ChurnTree n = this;
            while (!n.isLeaf()) {
                double v = x[n.feature];
                if (Double.isNaN(v)) {
                    return null;
                }
                boolean goesLeft = ChurnFeatures.isCategorical(n.feature) ? n.left[(int) v] : v <= n.threshold;
                n = goesLeft ? n.low : n.high;
            }
            return n;
        }

        /** The class of the leaf {@code x} reaches (0 no, 1 yes); {@code x} must have every input its path tests. */
        public int predict(double[] x) {
            return leaf(x).majority();
        }

        /** The most frequent class of the node's training customers (no on a tie). */
        public int majority() {
            int best = 0;
            for (int c = 1; c < counts.length; c++) {
                best = counts[c] > counts[best] ? c : best;
            }
            return best;
        }

        /** The share of the node's training customers in class {@code c}: the probability the document gives. */
        public double probability(int c) {
            return (double) counts[c] / Arrays.stream(counts).sum();
        }

        public int depth() {
            return isLeaf() ? 0 : 1 + Math.max(low.depth(), high.depth());
        }

        public int leaves() {
            return isLeaf() ? 1 : low.leaves() + high.leaves();
        }

        /** Whether some split of the tree tests {@code feature}. */
        public boolean splitsOn(int feature) {
            return !isLeaf() && (this.feature == feature || low.splitsOn(feature) || high.splitsOn(feature));
        }

        public PMML toPmml(String description) {
            TreeModel model = new TreeModel(MiningFunction.CLASSIFICATION, ChurnPmml.miningSchema(),
                    toNode(True.INSTANCE, new int[] {0}))
                    .setSplitCharacteristic(TreeModel.SplitCharacteristic.BINARY_SPLIT)
                    .setMissingValueStrategy(TreeModel.MissingValueStrategy.NONE)
                    .setNoTrueChildStrategy(TreeModel.NoTrueChildStrategy.RETURN_NULL_PREDICTION)
                    .setOutput(ChurnPmml.probabilityOutputs());
            return PmmlDocuments.document(description, ChurnPmml.dictionary(), model);
        }

        private Node toNode(Predicate predicate, int[] ids) {
            int total = Arrays.stream(counts).sum();
            ComplexNode node = new ComplexNode(ChurnRow.LABELS.get(majority()), predicate)
                    .setId(String.valueOf(++ids[0])).setRecordCount(total);
            for (int c = 0; c < CLASSES; c++) {
                node.addScoreDistributions(new ComplexScoreDistribution(ChurnRow.LABELS.get(c), counts[c])
                        .setProbability(probability(c)));
            }
            if (!isLeaf()) {
                node.addNodes(low.toNode(predicate(true), ids), high.toNode(predicate(false), ids));
            }
            return node;
        }

        private Predicate predicate(boolean lowSide) {
            String name = ChurnFeatures.name(feature);
            if (!ChurnFeatures.isCategorical(feature)) {
                return new SimplePredicate(name, lowSide ? SimplePredicate.Operator.LESS_OR_EQUAL
                        : SimplePredicate.Operator.GREATER_THAN, threshold);
            }
            List<String> values = new ArrayList<>();
            List<String> categories = ChurnFeatures.categories(feature);
            for (int v = 0; v < categories.size(); v++) {
                if (left[v] == lowSide) {
                    values.add(categories.get(v));
                }
            }
            return new SimpleSetPredicate(name, SimpleSetPredicate.BooleanOperator.IS_IN,
                    new ComplexArray().setType(Array.Type.STRING).setValue(values));
        }
    }

    private ChurnTreeTrainer() {}

    /** Grows a tree on encoded customers {@code x} (no NaN) with labels {@code y} (0 no, 1 yes). */
    public static ChurnTree train(double[][] x, int[] y, int maxDepth, int minLeaf) {
        return grow(x, y, IntStream.range(0, y.length).toArray(), maxDepth, minLeaf);
    }

    private static ChurnTree grow(double[][] x, int[] y, int[] rows, int depthLeft, int minLeaf) {
        int[] counts = Gini.counts(y, rows, CLASSES);
        Best best = depthLeft == 0 ? null : bestSplit(x, y, rows, counts, minLeaf);
        if (best == null) {
            return new ChurnTree(-1, 0, null, null, null, counts);
        }
        int[] low = Arrays.stream(rows).filter(r -> best.goesLeft(x[r])).toArray();
        int[] high = Arrays.stream(rows).filter(r -> !best.goesLeft(x[r])).toArray();
        return new ChurnTree(best.feature, best.threshold, best.left, grow(x, y, low, depthLeft - 1, minLeaf),
                grow(x, y, high, depthLeft - 1, minLeaf), counts);
    }

    private record Best(int feature, double threshold, boolean[] left, double impurity) {

        boolean goesLeft(double[] x) {
            return left != null ? left[(int) x[feature]] : x[feature] <= threshold;
        }
    }

    /** The split with the lowest weighted Gini impurity, if any improves on the node's own (first input on a tie). */
    private static Best bestSplit(double[][] x, int[] y, int[] rows, int[] counts, int minLeaf) {
        double parent = Gini.impurity(counts, rows.length);
        Best best = null;
        for (int f = 0; f < ChurnFeatures.COUNT; f++) {
            Best here = ChurnFeatures.isCategorical(f) ? categorical(x, y, rows, counts, f, minLeaf)
                    : numeric(x, y, rows, counts, f, minLeaf);
            if (here != null && here.impurity < parent - 1e-12 && (best == null || here.impurity < best.impurity)) {
                best = here;
            }
        }
        return best;
    }

    /** The best threshold halfway between two neighbouring values, each side with at least minLeaf customers. */
    private static Best numeric(double[][] x, int[] y, int[] rows, int[] counts, int f, int minLeaf) {
        int n = rows.length;
        Integer[] sorted = Arrays.stream(rows).boxed().sorted(Comparator.comparingDouble(r -> x[r][f]))
                .toArray(Integer[]::new);
        int[] left = new int[CLASSES];
        int[] right = counts.clone();
        Best best = null;
        for (int i = 0; i < n - 1; i++) {
            int label = y[sorted[i]];
            left[label]++;
            right[label]--;
            double here = x[sorted[i]][f];
            double next = x[sorted[i + 1]][f];
            if (here == next || i + 1 < minLeaf || n - i - 1 < minLeaf) {
                continue;
            }
            double impurity = weighted(left, i + 1, right, n - i - 1);
            if (best == null || impurity < best.impurity) {
                best = new Best(f, (here + next) / 2, null, impurity);
            }
        }
        return best;
    }

    /**
     * The best cut of the node's values ordered by their share of churners (ties in value order); values no
     * customer at the node has go right.
     */
    private static Best categorical(double[][] x, int[] y, int[] rows, int[] counts, int f, int minLeaf) {
        int values = ChurnFeatures.categories(f).size();
        int[][] byValue = new int[values][CLASSES];
        for (int r : rows) {
            byValue[(int) x[r][f]][y[r]]++;
        }
        Integer[] order = IntStream.range(0, values).filter(v -> Arrays.stream(byValue[v]).sum() > 0).boxed()
                .sorted(Comparator.comparingDouble(v -> (double) byValue[v][1] / Arrays.stream(byValue[v]).sum()))
                .toArray(Integer[]::new);
        int n = rows.length;
        int[] left = new int[CLASSES];
        boolean[] goesLeft = new boolean[values];
        Best best = null;
        for (int k = 0; k < order.length - 1; k++) {
            goesLeft[order[k]] = true;
            for (int c = 0; c < CLASSES; c++) {
                left[c] += byValue[order[k]][c];
            }
            int nLeft = Arrays.stream(left).sum();
            if (nLeft < minLeaf || n - nLeft < minLeaf) {
                continue;
            }
            int[] right = new int[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                right[c] = counts[c] - left[c];
            }
            double impurity = weighted(left, nLeft, right, n - nLeft);
            if (best == null || impurity < best.impurity) {
                best = new Best(f, 0, goesLeft.clone(), impurity);
            }
        }
        return best;
    }

    private static double weighted(int[] left, int nLeft, int[] right, int nRight) {
        return (Gini.impurity(left, nLeft) * nLeft + Gini.impurity(right, nRight) * nRight) / (nLeft + nRight);
    }
}
