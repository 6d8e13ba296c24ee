package dev.modelserving.model.tensorflow;

import dev.modelserving.model.ModelLoadException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;

/**
 * Checks a graph before TensorFlow sees it: a model is data, and every node, of the graph and of the functions in
 * its library, must use one of the operations a scoring graph needs ({@link #SCORING_OPS}: arithmetic, activations,
 * reductions, shapes, variables, function calls, control flow). Anything else is refused with the node and the op's
 * name: file access ({@code ReadFile}, {@code WriteFile}), datasets and network readers
 * ({@code DataServiceDataset}), summary and debug writers, and every op this list does not know.
 *
 * <p>A SavedModel needs its saver, and TensorFlow runs some of its graph while it loads it: the saver's restore op
 * and the init ops ({@code saved_model_main_op}, {@code legacy_init_op}), with everything they depend on. Those
 * nodes may only restore the variables ({@link #LOAD_OPS}: no loop, no computation), and a restore op must read
 * from the saver's own filename tensor (directly, or through {@code Identity}), which the loader feeds with the
 * model's variables directory. The saver's other file operations ({@code SaveV2}, ...) may sit in its name scope as
 * exporters write them, only where nothing runs them: neither the load nor the signatures' outputs (what scoring
 * fetches) depend on them. Functions in the graph's library are never exempt.
 */
final class FileOpGuard {

    /**
     * The operations a scoring graph may use. Dense tabular models without convolutions (TF Java's, Keras's and
     * Estimator exports) need no more; README, "Anatomy", says what happens to a graph that needs another.
     */
    static final Set<String> SCORING_OPS = Set.of(
            // plumbing
            "Const", "Placeholder", "PlaceholderWithDefault", "Identity", "IdentityN", "NoOp", "StopGradient",
            "PreventGradient", "Snapshot", "Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond",
            "StatefulPartitionedCall", "PartitionedCall", "If", "StatelessIf", "While", "StatelessWhile",
            // variables
            "VariableV2", "Variable", "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "Assign",
            "VarIsInitializedOp", "IsVariableInitialized", "ResourceGather", "DestroyResourceOp",
            "DisableCopyOnRead",
            // arithmetic and activations
            "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "BiasAdd", "Add", "AddV2", "AddN", "Sub",
            "Mul", "Div", "RealDiv", "DivNoNan", "FloorDiv", "FloorMod", "Maximum", "Minimum", "Neg", "Abs", "Exp",
            "Log", "Log1p", "Sqrt", "Rsqrt", "Square", "SquaredDifference", "Pow", "Reciprocal", "Sign", "Floor",
            "Ceil", "Round", "Rint", "Tanh", "Sigmoid", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus",
            "Softsign", "Softmax", "LogSoftmax", "Erf", "ClipByValue", "Cast", "IsNan", "IsFinite",
            "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3",
            // reductions and comparisons
            "Mean", "Sum", "Prod", "Max", "Min", "ArgMax", "ArgMin", "All", "Any", "Equal", "NotEqual", "Greater",
            "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "Select", "SelectV2",
            "TopKV2",
            // shapes
            "Reshape", "Shape", "ShapeN", "Size", "Rank", "Squeeze", "ExpandDims", "Concat", "ConcatV2", "Pack",
            "Unpack", "Slice", "StridedSlice", "Transpose", "Tile", "Gather", "GatherV2", "GatherNd", "Split",
            "SplitV", "Range", "Fill", "ZerosLike", "OnesLike", "BroadcastTo", "BroadcastArgs", "Pad", "PadV2",
            "OneHot", "Bucketize",
            // strings the saver's path is made of
            "StringJoin", "StaticRegexFullMatch");

    /** The operations that may run while a SavedModel loads: restoring the variables, nothing more. */
    static final Set<String> LOAD_OPS = Set.of("NoOp", "Identity", "Const", "Placeholder", "PlaceholderWithDefault",
            "ZerosLike", "VariableV2", "Variable", "VarHandleOp", "Assign", "AssignVariableOp", "ReadVariableOp",
            "DisableCopyOnRead", "RestoreV2", "Restore", "RestoreSlice");

    /** The restore operations. */
    private static final Set<String> RESTORE_OPS = Set.of("RestoreV2", "Restore", "RestoreSlice");

    /** Operations that read, write, list or map files, or write to debug/summary sinks (which may be files). */
    private static final Set<String> FILE_OPS = Set.of(
            "ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst",
            "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints",
            "ShardedFilename", "ShardedFilespec",
            "TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset", "FixedLengthRecordDataset",
            "FixedLengthRecordDatasetV2", "LMDBDataset", "ExperimentalLMDBDataset", "CSVDataset", "CSVDatasetV2",
            "ExperimentalCSVDataset", "SqlDataset", "ExperimentalSqlDataset", "SnapshotDataset", "SnapshotDatasetV2",
            "SaveDataset", "SaveDatasetV2", "LoadDataset", "DatasetToTFRecord", "ExperimentalDatasetToTFRecord",
            "CacheDataset", "CacheDatasetV2", "MatchingFilesDataset", "ExperimentalMatchingFilesDataset",
            "RecordInput", "LoadAndRemapMatrix", "GenerateVocabRemapping", "InitializeTableFromTextFile",
            "InitializeTableFromTextFileV2", "PrintV2", "DecodeProtoV2", "EncodeProto",
            "CreateSummaryFileWriter", "CreateSummaryDbWriter", "ImportEvent", "SummaryWriter");

    /** Name parts that mark a family of file operations: readers, writers, debug sinks, checkpoint tools. */
    private static final List<String> FILE_OP_PARTS = List.of("File", "Reader", "Writer", "Checkpoint");
    private static final List<String> FILE_OP_PREFIXES = List.of("Write", "Debug", "Save", "Restore", "Sharded");

    /** The file operations a saver may hold in its scope, where nothing runs them (save) or only the load does. */
    private static final Set<String> SAVER_OPS = Set.of("Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
            "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec");

    /** The collections whose ops TensorFlow runs after the restore when it loads a SavedModel. */
    private static final List<String> INIT_COLLECTIONS = List.of("saved_model_main_op", "legacy_init_op",
            "main_op");

    private FileOpGuard() {}

    /** A frozen graph has no saver, and nothing runs but what scoring fetches: only {@link #SCORING_OPS}. */
    static void checkGraph(GraphDef graph) throws ModelLoadException {
        for (NodeDef node : graph.getNodeList()) {
            if (!SCORING_OPS.contains(node.getOp())) {
                throw refused("node '" + node.getName() + "'", node.getOp());
            }
        }
        checkFunctions(graph);
    }

    /** Every meta graph of the SavedModel, including its function library. */
    static void checkSavedModel(SavedModel model) throws ModelLoadException {
        for (MetaGraphDef meta : model.getMetaGraphsList()) {
            checkMeta(meta);
        }
    }

    static boolean touchesFiles(String op) {
        return FILE_OPS.contains(op) || FILE_OP_PARTS.stream().anyMatch(op::contains)
                || FILE_OP_PREFIXES.stream().anyMatch(op::startsWith);
    }

    private static void checkMeta(MetaGraphDef meta) throws ModelLoadException {
        GraphDef graph = meta.getGraphDef();
        Map<String, NodeDef> byName = new HashMap<>();
        for (NodeDef node : graph.getNodeList()) {
            byName.put(node.getName(), node);
        }
        SaverScope saver = SaverScope.of(meta);
        List<String> loadRoots = new ArrayList<>();
        if (meta.hasSaverDef()) {
            loadRoots.add(meta.getSaverDef().getRestoreOpName());
        }
        for (String collection : INIT_COLLECTIONS) {
            CollectionDef c = meta.getCollectionDefMap().get(collection);
            if (c != null) {
                loadRoots.addAll(c.getNodeList().getValueList());
            }
        }
        List<String> scoringRoots = new ArrayList<>();
        for (SignatureDef signature : meta.getSignatureDefMap().values()) {
            signature.getOutputsMap().values().forEach(t -> scoringRoots.add(t.getName()));
        }
        Set<String> atLoad = ancestors(byName, loadRoots);
        Set<String> atScoring = ancestors(byName, scoringRoots);
        for (NodeDef node : graph.getNodeList()) {
            String op = node.getOp();
            if (atLoad.contains(node.getName())) {
                if (!LOAD_OPS.contains(op)) {
                    throw new ModelLoadException("graph refused: node '" + node.getName() + "' uses op '" + op
                            + "' and runs when the model loads, which may only restore the variables");
                }
                if (RESTORE_OPS.contains(op) && !saver.restoresFromFilename(node, byName)) {
                    throw refused("node '" + node.getName() + "'", op);
                }
            } else if (!SCORING_OPS.contains(op)
                    && !(saver.holds(node) && SAVER_OPS.contains(op) && !atScoring.contains(node.getName()))) {
                throw refused("node '" + node.getName() + "'", op);
            }
        }
        checkFunctions(graph);
    }

    private static void checkFunctions(GraphDef graph) throws ModelLoadException {
        for (FunctionDef function : graph.getLibrary().getFunctionList()) {
            for (NodeDef node : function.getNodeDefList()) {
                if (!SCORING_OPS.contains(node.getOp())) {
                    throw refused("node '" + node.getName() + "' of function '"
                            + function.getSignature().getName() + "'", node.getOp());
                }
            }
        }
    }

    /** The nodes the roots depend on (data and control inputs, transitively), the roots included. */
    private static Set<String> ancestors(Map<String, NodeDef> byName, List<String> roots) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        roots.forEach(r -> todo.add(nodeName(r)));
        while (!todo.isEmpty()) {
            String name = todo.poll();
            NodeDef node = byName.get(name);
            if (node == null || !seen.add(name)) {
                continue;
            }
            node.getInputList().forEach(in -> todo.add(nodeName(in)));
        }
        return seen;
    }

    private static ModelLoadException refused(String where, String op) {
        return new ModelLoadException("graph refused: " + where + " uses op '" + op + "', which "
                + (touchesFiles(op) ? "reads or writes files"
                        : "is not among the operations a scoring graph may use (README, \"Anatomy\", model-tensorflow)"));
    }

    /** The name scope and filename tensor of a meta graph's saver; NONE when there is no usable saver. */
    private record SaverScope(String prefix, String filenameNode) {

        static final SaverScope NONE = new SaverScope(null, null);

        static SaverScope of(MetaGraphDef meta) {
            if (!meta.hasSaverDef()) {
                return NONE;
            }
            SaverDef def = meta.getSaverDef();
            int slash = def.getRestoreOpName().lastIndexOf('/');
            String filename = nodeName(def.getFilenameTensorName());
            if (slash <= 0 || filename.isEmpty()) {
                return NONE;
            }
            String prefix = def.getRestoreOpName().substring(0, slash + 1);
            return filename.startsWith(prefix) ? new SaverScope(prefix, filename) : NONE;
        }

        /** Whether the node is in the saver's name scope. */
        boolean holds(NodeDef node) {
            return prefix != null && node.getName().startsWith(prefix);
        }

        /** Whether a restore op in the saver's scope reads from the saver's filename (through Identity at most). */
        boolean restoresFromFilename(NodeDef node, Map<String, NodeDef> byName) {
            if (!holds(node) || node.getInputCount() == 0) {
                return false;
            }
            String input = node.getInput(0);
            for (int depth = 0; depth < 16 && !input.startsWith("^"); depth++) {
                String name = nodeName(input);
                if (name.equals(filenameNode)) {
                    return true;
                }
                NodeDef through = byName.get(name);
                if (through == null || !through.getOp().equals("Identity") || through.getInputCount() == 0) {
                    return false;
                }
                input = through.getInput(0);
            }
            return false;
        }
    }

    /** {@code save/filename:0} and {@code ^save/filename} name node {@code save/filename}. */
    static String nodeName(String tensorOrInput) {
        String name = tensorOrInput.startsWith("^") ? tensorOrInput.substring(1) : tensorOrInput;
        int colon = name.lastIndexOf(':');
        return colon > 0 && name.substring(colon + 1).chars().allMatch(Character::isDigit)
                ? name.substring(0, colon) : name;
    }
}
