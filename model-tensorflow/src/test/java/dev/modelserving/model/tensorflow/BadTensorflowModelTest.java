package dev.modelserving.model.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.ProjectData;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;

class BadTensorflowModelTest {

    @TempDir
    static Path dir;

    static byte[] frozenGraph;
    static byte[] savedModelZip;

    @BeforeAll
    static void readTheCommittedModels() {
        frozenGraph = ProjectModel.MLP_FROZEN_GRAPH.bytes();
        savedModelZip = ProjectModel.MLP_SAVED_MODEL.bytes();
    }

    private final Path work = dir.resolve("work-" + System.nanoTime());

    @AfterEach
    void nothingLeftInTheWorkDir() throws Exception {
        assertThat(TestModels.children(work)).isEmpty();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(ModelDescriptor d) {
        return assertThatThrownBy(() -> new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)).load(d).close())
                .isInstanceOf(ModelLoadException.class);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] bytes, TensorflowFormat format) {
        return assertRefused(TestModels.descriptor(bytes, format));
    }

    @Test
    void garbageBytesAreNotAGraph() {
        assertRefused("this is not a model".getBytes(StandardCharsets.US_ASCII), TensorflowFormat.TF_FORMAT_UNSPECIFIED)
                .hasMessageStartingWith("not a TensorFlow frozen graph (GraphDef): ");
        assertRefused(new byte[] {8, 1}, TensorflowFormat.FROZEN_GRAPH)
                .hasMessage("not a TensorFlow frozen graph (GraphDef): it holds no nodes");
    }

    @Test
    void emptyModelIsRefused() {
        assertRefused(new byte[0], TensorflowFormat.FROZEN_GRAPH).hasMessageStartingWith("the model is empty");
    }

    @Test
    void truncatedGraphIsRefused() {
        assertRefused(Arrays.copyOf(frozenGraph, frozenGraph.length / 2), TensorflowFormat.FROZEN_GRAPH)
                .hasMessageStartingWith("not a TensorFlow frozen graph (GraphDef): ")
                .hasMessageContaining("ended unexpectedly");
    }

    @Test
    void emptyZipIsRefused() {
        byte[] empty = TestModels.zip(Map.of());
        assertRefused(empty, TensorflowFormat.SAVED_MODEL_ZIP).hasMessage("the SavedModel zip is empty (no entries)");
        assertRefused(empty, TensorflowFormat.TF_FORMAT_UNSPECIFIED)
                .hasMessage("the SavedModel zip is empty (no entries)");
    }

    @Test
    void truncatedZipIsRefused() {
        assertRefused(Arrays.copyOf(savedModelZip, savedModelZip.length - 200), TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("not a readable zip (corrupt or truncated): no end-of-central-directory record");
        assertRefused(Arrays.copyOf(savedModelZip, savedModelZip.length / 2), TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("not a readable zip (corrupt or truncated): no end-of-central-directory record");
    }

    @Test
    void zipWithoutSavedModelPbIsRefused() {
        byte[] zip = TestModels.zip(Map.of("variables/variables.index", new byte[] {1, 2, 3}));
        assertRefused(zip, TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("the zip holds no saved_model.pb (top level: [variables]); not a SavedModel");
    }

    @Test
    void zipSlipEntryIsRefusedAndNothingIsWrittenOutside() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("saved_model.pb", new byte[0]);
        entries.put("../escaped.txt", "x".getBytes(StandardCharsets.US_ASCII));
        assertRefused(TestModels.zip(entries), TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("zip entry '../escaped.txt' escapes the model directory; SavedModel refused");
        assertThat(work.resolve("escaped.txt")).doesNotExist();
        assertRefused(TestModels.zip(Map.of("/etc/cron.d/x", new byte[1])), TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("zip entry '/etc/cron.d/x' is not a plain relative path; SavedModel refused");
    }

    @Test
    void zipThatUnpacksPastTheSizeCapIsRefused() {
        byte[] bomb = TestModels.zip(Map.of("saved_model.pb", new byte[200_000]));
        assertThat(bomb.length).isLessThan(10_000);
        ModelDescriptor d = TestModels.descriptor(bomb, TensorflowFormat.SAVED_MODEL_ZIP);
        assertThatThrownBy(() -> new ModelFactory(LoadingPolicy.defaults().withWorkDir(work).withMaxModelBytes(10_000))
                .load(d))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("the SavedModel zip unpacks to more than 10000 bytes, the model size cap (stopped in entry "
                        + "'saved_model.pb')");
    }

    @Test
    void frozenGraphThatReadsAFileIsRefused() {
        assertRefused(graphThatReadsAFile(), TensorflowFormat.FROZEN_GRAPH)
                .hasMessage("graph refused: node 'steal' uses op 'ReadFile', which reads or writes files");
    }

    private static byte[] graphThatReadsAFile() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.withName("dense_1_input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 11)));
            tf.withName("steal").io.readFile(tf.constant("/etc/passwd"));
            tf.withSubScope("dense_3").withName("Sigmoid").math.sigmoid(
                    tf.linalg.matMul(x, tf.constant(new float[11][9])));
            return g.toGraphDef().toByteArray();
        }
    }

    @Test
    void aGraphThatNeverFinishesItsFirstRunIsRefusedAtTheLoadTimeoutAndItsRunIsCancelled() {
        ModelFactory factory = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)
                .withLoadTimeout(Duration.ofSeconds(3)));
        long start = System.nanoTime();

        assertThatThrownBy(() -> factory.load(TestModels.descriptor(HostileGraphs.endlessLoop(),
                TensorflowFormat.FROZEN_GRAPH)).close())
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("the load did not finish within 3 s (model-server.model-load-timeout) and was abandoned");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        // TensorFlow cancels the run at the same deadline: the abandoned load does not burn a core for ever
        await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("model-load-")));
    }

    @Test
    void aHungFirstModelOfOneNewDataTypeHoldsUpNoOtherNewDataTypesFirstModel() throws Exception {
        try (ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)
                .withLoadTimeout(Duration.ofSeconds(20)).withMaxDataTypes(2)))) {
            ModelDescriptor hung = TestModels.descriptor(HostileGraphs.endlessLoop(), TensorflowFormat.FROZEN_GRAPH)
                    .toBuilder().setName("endless-loop").setDataType("hung").build();
            CompletableFuture<LoadOutcome> hanging = CompletableFuture.supplyAsync(() -> registry.offer(hung));
            // the hung load has begun (its load thread runs) before the other dataType's model comes
            await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("model-load-")));

            ModelDescriptor beer = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("beer").build();
            assertThat(registry.offer(beer)).isInstanceOf(LoadOutcome.Loaded.class);

            // a loading first model holds its place: with 2 places, a third new dataType is refused meanwhile
            ModelDescriptor cider = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("cider")
                    .build();
            assertThat(registry.offer(cider)).isInstanceOf(LoadOutcome.Rejected.class);
            // served while the other dataType's first load still hangs (it waits up to its 20 s timeout)
            assertThat(hanging).isNotDone();
            assertThat(registry.current("beer")).hasValueSatisfying(m -> assertThat(m.name())
                    .isEqualTo(beer.getName()));
            assertThat(hanging.get(60, TimeUnit.SECONDS)).isInstanceOf(LoadOutcome.Rejected.class);
            assertThat(registry.current("hung")).isEmpty();
            assertThat(registry.stats("hung")).hasValueSatisfying(st -> assertThat(st.failedLoads()).isEqualTo(1));
            // the hung load refused, its place is free again
            assertThat(registry.offer(cider)).isInstanceOf(LoadOutcome.Loaded.class);
        }
    }

    @Test
    void aRefusedGraphLeavesTheServingModelServing() {
        try (ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withWorkDir(work)))) {
            assertThat(registry.offer(TestModels.descriptor(frozenGraph, TensorflowFormat.FROZEN_GRAPH)))
                    .isInstanceOf(LoadOutcome.Loaded.class);
            Features wine = WineFeatures.of(ProjectData.wines().get(9).toRecord("wine"));
            Scored before = registry.score(wine);

            LoadOutcome outcome = registry.offer(TestModels.descriptor(graphThatReadsAFile(), TensorflowFormat.FROZEN_GRAPH)
                    .toBuilder().setName("thief").build());

            assertThat(outcome.message()).contains("'thief'").contains("uses op 'ReadFile'").contains("still serving");
            Scored after = registry.score(wine);
            assertThat(after.model()).isEqualTo(before.model());
            assertThat(after.prediction()).isEqualTo(before.prediction());
            assertThat(registry.stats("wine").orElseThrow().failedLoads()).isEqualTo(1);
        }
    }

    @Test
    void savedModelThatWritesAFileIsRefused() throws Exception {
        Path export = dir.resolve("writes-file");
        try (Graph g = new Graph(); Session session = new Session(g)) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("dense_1_input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 11)));
            Operand<TFloat32> y = tf.math.sigmoid(tf.linalg.matMul(x, tf.variable(tf.constant(new float[11][9]))));
            tf.withName("leak").io.writeFile(tf.constant(dir.resolve("leaked").toString()), tf.constant("data"));
            session.initialize();
            SavedModelBundle.exporter(export.toString()).withFunction(session.function(
                    Signature.builder().key("serving_default").input("x", x).output("y", y).build())).export();
        }
        assertRefused(TestModels.zipDirectory(export), TensorflowFormat.SAVED_MODEL_ZIP)
                .hasMessage("graph refused: node 'leak' uses op 'WriteFile', which reads or writes files");
        assertThat(dir.resolve("leaked")).doesNotExist();
    }

    @Test
    void restoreOpInTheSaverScopeMustReadFromTheSaversFilename() throws Exception {
        SavedModel good = SavedModel.parseFrom(unzippedSavedModelPb());
        FileOpGuard.checkSavedModel(good);

        MetaGraphDef meta = good.getMetaGraphs(0);
        GraphDef.Builder graph = meta.getGraphDef().toBuilder();
        NodeDef restore = graph.getNodeList().stream().filter(n -> n.getOp().equals("RestoreV2")).findFirst()
                .orElseThrow();
        NodeDef otherPath = graph.getNodeList().stream().filter(n -> n.getName().equals("save/filename"))
                .findFirst().orElseThrow().toBuilder().setName("save/other_path").setOp("Const").build();
        graph.addNode(otherPath);
        graph.setNode(graph.getNodeList().indexOf(restore), restore.toBuilder().setInput(0, "save/other_path"));
        SavedModel tampered = good.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(graph)).build();

        assertThatThrownBy(() -> FileOpGuard.checkSavedModel(tampered))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("graph refused: node '" + restore.getName() + "' uses op 'RestoreV2', which reads or "
                        + "writes files");
    }

    @Test
    void aGraphWithAnOpOffTheScoringListIsRefusedNamingTheOp() throws Exception {
        GraphDef graph = GraphDef.parseFrom(frozenGraph);
        GraphDef network = graph.toBuilder().addNode(NodeDef.newBuilder().setName("fetch")
                .setOp("DataServiceDatasetV4")).build();
        assertRefused(network.toByteArray(), TensorflowFormat.FROZEN_GRAPH)
                .hasMessage("graph refused: node 'fetch' uses op 'DataServiceDatasetV4', which is not among the "
                        + "operations a scoring graph may use (README, \"Anatomy\", model-tensorflow)");
        GraphDef unknown = graph.toBuilder().addNode(NodeDef.newBuilder().setName("odd").setOp("Unique")).build();
        assertRefused(unknown.toByteArray(), TensorflowFormat.FROZEN_GRAPH)
                .hasMessageContaining("node 'odd' uses op 'Unique', which is not among the operations");
        // the project's own graphs use only listed ops
        assertThat(graph.getNodeList()).allMatch(n -> FileOpGuard.SCORING_OPS.contains(n.getOp()));
    }

    /** The project's SavedModel with its graph changed by {@code change}. */
    private static SavedModel tampered(java.util.function.Consumer<GraphDef.Builder> change) throws Exception {
        SavedModel good = SavedModel.parseFrom(unzippedSavedModelPb());
        MetaGraphDef meta = good.getMetaGraphs(0);
        GraphDef.Builder graph = meta.getGraphDef().toBuilder();
        change.accept(graph);
        return good.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(graph)).build();
    }

    private static void addInput(GraphDef.Builder graph, String node, String input) {
        NodeDef n = graph.getNodeList().stream().filter(x -> x.getName().equals(node)).findFirst().orElseThrow();
        graph.setNode(graph.getNodeList().indexOf(n), n.toBuilder().addInput(input));
    }

    @Test
    void aSaveThatRunsWhenTheModelLoadsOrScoresIsRefusedEvenWithAFilenameDefault() throws Exception {
        // a filename with a default path: harmless as long as nothing runs the save
        SavedModel withDefault = tampered(graph -> {
            NodeDef filename = graph.getNodeList().stream().filter(n -> n.getName().equals("save/filename"))
                    .findFirst().orElseThrow();
            graph.setNode(graph.getNodeList().indexOf(filename), filename.toBuilder()
                    .setOp("PlaceholderWithDefault").addInput("save/Const"));
        });
        FileOpGuard.checkSavedModel(withDefault);

        // the restore made to save first: it would write where the graph says while the model loads
        SavedModel savesOnLoad = tampered(graph -> addInput(graph, "save/restore_all", "^save/Save"));
        assertThatThrownBy(() -> FileOpGuard.checkSavedModel(savesOnLoad))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("graph refused: node 'save/Save' uses op 'SaveV2' and runs when the model loads, which "
                        + "may only restore the variables");
        // the output made to save: it would write on every scoring run
        SavedModel savesOnScoring = tampered(graph -> addInput(graph, "dense_3/Sigmoid", "^save/Save"));
        assertThatThrownBy(() -> FileOpGuard.checkSavedModel(savesOnScoring))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("graph refused: node 'save/Save' uses op 'SaveV2', which reads or writes files");
    }

    @Test
    void whatRunsWhenTheModelLoadsMayOnlyRestoreTheVariables() throws Exception {
        // a loop the restore depends on would run, without a deadline, while the model loads
        SavedModel loops = tampered(graph -> {
            graph.addNode(NodeDef.newBuilder().setName("save/spin").setOp("While"));
            addInput(graph, "save/restore_all", "^save/spin");
        });
        assertThatThrownBy(() -> FileOpGuard.checkSavedModel(loops))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("graph refused: node 'save/spin' uses op 'While' and runs when the model loads, which "
                        + "may only restore the variables");
        // a restore that reads its path through a join: only the filename, as the loader feeds it, is read
        SavedModel joined = tampered(graph -> {
            graph.addNode(NodeDef.newBuilder().setName("save/elsewhere").setOp("Const"));
            graph.addNode(NodeDef.newBuilder().setName("save/joined").setOp("StringJoin").addInput("save/filename")
                    .addInput("save/elsewhere"));
            NodeDef restore = graph.getNodeList().stream().filter(n -> n.getOp().equals("RestoreV2")).findFirst()
                    .orElseThrow();
            graph.setNode(graph.getNodeList().indexOf(restore), restore.toBuilder().setInput(0, "save/joined"));
        });
        assertThatThrownBy(() -> FileOpGuard.checkSavedModel(joined))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("graph refused: node 'save/Restore' uses op 'RestoreV2', which reads or writes files");
    }

    @Test
    void aSavedModelZipWithAnotherGraphFileIsRefused() throws Exception {
        Map<String, byte[]> entries = new java.util.TreeMap<>();
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(savedModelZip))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (!e.isDirectory()) {
                    entries.put(e.getName(), zip.readAllBytes());
                }
            }
        }
        for (String extra : List.of("saved_model.pbtxt", "saved_model.cpb", "variables/other.bin")) {
            Map<String, byte[]> withExtra = new java.util.TreeMap<>(entries);
            withExtra.put(extra, "node { name: 'steal' op: 'ReadFile' }".getBytes(StandardCharsets.US_ASCII));
            assertRefused(TestModels.zip(withExtra), TensorflowFormat.SAVED_MODEL_ZIP)
                    .hasMessageStartingWith("the SavedModel zip holds '" + extra + "', which is not part of a "
                            + "SavedModel");
        }
        // as exported, it loads
        try (var model = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work))
                .load(TestModels.descriptor(TestModels.zip(entries), TensorflowFormat.SAVED_MODEL_ZIP))) {
            assertThat(model.info().name()).isNotEmpty();
        }
    }

    @Test
    void missingInputOrOutputOperationIsNamed() {
        assertRefused(TestModels.descriptor(frozenGraph, TensorflowFormat.FROZEN_GRAPH).toBuilder()
                .setTfInput("features").build())
                .hasMessage("the graph has no input operation 'features' (set tf_input in the descriptor to name "
                        + "another one)");
        assertRefused(TestModels.descriptor(frozenGraph, TensorflowFormat.FROZEN_GRAPH).toBuilder()
                .setTfOutput("dense_4/Softmax:0").build())
                .hasMessage("the graph has no output operation 'dense_4/Softmax' (set tf_output in the descriptor to "
                        + "name another one)");
    }

    @Test
    void missingSignatureIsNamed() {
        assertRefused(TestModels.descriptor(savedModelZip, TensorflowFormat.SAVED_MODEL_ZIP).toBuilder()
                .setTfSignature("predict").build())
                .hasMessage("the SavedModel has no signature 'predict' (it has [serving_default])");
    }

    @Test
    void savedModelZipAnnouncedAsFrozenGraphFailsCleanly() {
        assertRefused(savedModelZip, TensorflowFormat.FROZEN_GRAPH)
                .hasMessageStartingWith("not a TensorFlow frozen graph (GraphDef): ");
    }

    private static byte[] unzippedSavedModelPb() throws Exception {
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(savedModelZip))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("saved_model.pb")) {
                    return zip.readAllBytes();
                }
            }
        }
        throw new AssertionError("no saved_model.pb in the exported zip");
    }
}
