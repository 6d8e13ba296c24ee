package dev.modelserving.model.tensorflow;

import dev.modelserving.model.ModelLoadException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;

/**
 * Checks a graph before TensorFlow sees it: a model is data, and every node, of the graph and of the functions in
 * its library, must use one of the operations a scoring graph needs ({@link #SCORING_OPS}: arithmetic, activations,
 * reductions, shapes, variables, function calls). Anything else is refused with the node and the op's name: file
 * access ({@code ReadFile}, {@code WriteFile}), datasets and network readers ({@code DataServiceDataset}), summary
 * and debug writers, and every op this list does not know.
 *
 * <p>A SavedModel needs its saver: the only nodes allowed to read or write checkpoints are the save/restore
 * operations of the meta graph's {@link SaverDef}, inside the saver's name scope (TF Java's exporter writes
 * {@code save/filename}, {@code save/Save} (SaveV2), {@code save/Restore} (RestoreV2), {@code save/restore_all}),
 * and only when the path they touch comes from the saver's own filename {@code Placeholder}, which has no value
 * unless the loader feeds it the model's variables directory (a {@code PlaceholderWithDefault} would let a scoring
 * run save to its default path). Functions in the graph's library are never exempt.
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
            // the saver's path (its file operations are SAVER_OPS, allowed only as the saver's own)
            "StringJoin", "StaticRegexFullMatch");

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

    /** The file operations a saver may own. */
    private static final Set<String> SAVER_OPS = Set.of("Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
            "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec");

    /** Operations a saver's path may pass through between its filename placeholder and a save/restore op. */
    private static final Set<String> PATH_OPS = Set.of("Identity", "StringJoin", "ShardedFilename",
            "ShardedFilespec", "Pack");

    private FileOpGuard() {}

    /** A frozen graph has no saver: every file operation is refused. */
    static void checkGraph(GraphDef graph) throws ModelLoadException {
        check(graph, SaverScope.NONE);
    }

    /** Every meta graph of the SavedModel, including its function library. */
    static void checkSavedModel(SavedModel model) throws ModelLoadException {
        for (MetaGraphDef meta : model.getMetaGraphsList()) {
            check(meta.getGraphDef(), SaverScope.of(meta));
        }
    }

    static boolean touchesFiles(String op) {
        return FILE_OPS.contains(op) || FILE_OP_PARTS.stream().anyMatch(op::contains)
                || FILE_OP_PREFIXES.stream().anyMatch(op::startsWith);
    }

    private static void check(GraphDef graph, SaverScope saver) throws ModelLoadException {
        Map<String, NodeDef> byName = new HashMap<>();
        for (NodeDef node : graph.getNodeList()) {
            byName.put(node.getName(), node);
        }
        for (NodeDef node : graph.getNodeList()) {
            if (!SCORING_OPS.contains(node.getOp()) && !saver.owns(node, byName)) {
                throw refused("node '" + node.getName() + "'", node.getOp());
            }
        }
        for (FunctionDef function : graph.getLibrary().getFunctionList()) {
            for (NodeDef node : function.getNodeDefList()) {
                if (!SCORING_OPS.contains(node.getOp())) {
                    throw refused("node '" + node.getName() + "' of function '"
                            + function.getSignature().getName() + "'", node.getOp());
                }
            }
        }
    }

    private static ModelLoadException refused(String where, String op) {
        return new ModelLoadException("graph refused: " + where + " uses op '" + op + "', which "
                + (touchesFiles(op) ? "reads or writes files"
                        : "is not among the operations a scoring graph may use (README, \"Anatomy\", model-tensorflow)"));
    }

    /** The name scope and filename placeholder of a meta graph's saver; NONE when there is no usable saver. */
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

        boolean owns(NodeDef node, Map<String, NodeDef> byName) {
            if (prefix == null || !SAVER_OPS.contains(node.getOp()) || !node.getName().startsWith(prefix)
                    || !isFilenamePlaceholder(byName.get(filenameNode))) {
                return false;
            }
            int pathInputs = node.getOp().equals("MergeV2Checkpoints") ? 2 : 1;
            if (node.getInputCount() < pathInputs) {
                return false;
            }
            for (int i = 0; i < pathInputs; i++) {
                if (!fromFilename(node.getInput(i), byName, 0)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isFilenamePlaceholder(NodeDef node) {
            return node != null && node.getOp().equals("Placeholder");
        }

        /** Whether a path input is the saver's filename, possibly joined, sharded or packed within the scope. */
        private boolean fromFilename(String input, Map<String, NodeDef> byName, int depth) {
            String name = nodeName(input);
            if (name.equals(filenameNode)) {
                return true;
            }
            NodeDef node = byName.get(name);
            if (depth > 16 || input.startsWith("^") || node == null || !name.startsWith(prefix)
                    || !PATH_OPS.contains(node.getOp()) || node.getInputCount() == 0) {
                return false;
            }
            if (node.getOp().equals("Pack")) {
                return node.getInputList().stream()
                        .filter(in -> !in.startsWith("^"))
                        .allMatch(in -> fromFilename(in, byName, depth + 1));
            }
            return fromFilename(node.getInput(0), byName, depth + 1);
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
