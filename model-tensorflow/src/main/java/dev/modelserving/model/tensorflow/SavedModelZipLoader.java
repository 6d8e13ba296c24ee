package dev.modelserving.model.tensorflow;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelBytes;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelInput;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Loads a zipped SavedModel: unpacks it into a fresh directory under the policy's work dir, checks every meta graph
 * for file operations and the signature for one input and one output, loads it with {@link SavedModelBundle}, and
 * deletes the directory whatever happened (the variables are in memory by then).
 */
final class SavedModelZipLoader {

    static final String SAVED_MODEL_PB = "saved_model.pb";

    private SavedModelZipLoader() {}

    static Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
        Path dir = SavedModelArchive.unpack(bytes.content(), policy.workDir(), policy.maxModelBytes());
        try {
            Path root = modelRoot(dir);
            checkLayout(root);
            SavedModel savedModel = parse(root.resolve(SAVED_MODEL_PB));
            MetaGraphDef serve = serveGraph(savedModel);
            FileOpGuard.checkSavedModel(savedModel);
            String signatureKey = TensorflowModelLoader.orDefault(d.getTfSignature(),
                    TensorflowModelLoader.DEFAULT_SIGNATURE);
            SignatureDef signature = serve.getSignatureDefMap().get(signatureKey);
            if (signature == null) {
                throw new ModelLoadException("the SavedModel has no signature '" + signatureKey + "' (it has "
                        + serve.getSignatureDefMap().keySet() + ")");
            }
            TensorInfo input = single(signature.getInputsMap(), "input", signatureKey);
            TensorInfo output = single(signature.getOutputsMap(), "output", signatureKey);
            return open(d, bytes, root, signatureKey, input.getName(), output.getName(), policy.loadTimeout());
        } finally {
            SavedModelArchive.delete(dir);
        }
    }

    private static Model open(ModelDescriptor d, ModelBytes bytes, Path root, String signatureKey, String input,
            String output, Duration runTimeout) throws ModelLoadException {
        List<ModelInput> inputs = TensorflowModelLoader.inputs(d);
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(root.toString()).withTags(TensorflowModelLoader.SERVE_TAG).load();
        } catch (RuntimeException e) {
            throw new ModelLoadException("TensorFlow cannot load the SavedModel: " + e.getMessage(), e);
        }
        try {
            TensorShapes.checkInput(bundle.graph(), input, inputs.size());
            int columns = TensorShapes.outputColumns(bundle.graph(), output);
            String details = "SavedModel signature '" + signatureKey + "': '" + input + "' [-1,"
                    + inputs.size() + "] -> '" + output + "' [-1," + (columns < 0 ? "?" : columns) + "]";
            return new TensorflowModel(bundle.session(), input, output, inputs,
                    TensorflowModelLoader.info(d, bytes, details), runTimeout, bundle);
        } catch (ModelLoadException | RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** The directory holding saved_model.pb: the zip's root, or its single top-level directory. */
    private static Path modelRoot(Path dir) throws ModelLoadException {
        if (Files.isRegularFile(dir.resolve(SAVED_MODEL_PB))) {
            return dir;
        }
        try (Stream<Path> top = Files.list(dir)) {
            List<Path> children = top.toList();
            if (children.size() == 1 && Files.isRegularFile(children.get(0).resolve(SAVED_MODEL_PB))) {
                return children.get(0);
            }
            throw new ModelLoadException("the zip holds no " + SAVED_MODEL_PB + " (top level: "
                    + children.stream().map(p -> p.getFileName().toString()).sorted().limit(10).toList()
                    + "); not a SavedModel");
        } catch (IOException e) {
            throw new ModelLoadException("cannot list the unpacked SavedModel: " + e, e);
        }
    }

    /**
     * Every file of the SavedModel must be one TensorFlow reads as the checked graph's data: {@code saved_model.pb}
     * (the graph checked here), its variables, its assets, and the metadata TensorFlow and Keras write beside them.
     * Anything else is refused by name, above all another graph file ({@code saved_model.pbtxt},
     * {@code saved_model.cpb}) that TensorFlow might load instead of the one checked.
     */
    static void checkLayout(Path root) throws ModelLoadException {
        List<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> !Files.isDirectory(p)).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list the unpacked SavedModel: " + e, e);
        }
        for (String file : files) {
            if (!LAYOUT.matcher(file).matches()) {
                throw new ModelLoadException("the SavedModel zip holds '" + file + "', which is not part of a "
                        + "SavedModel (" + SAVED_MODEL_PB + ", variables/, assets/, assets.extra/, fingerprint.pb, "
                        + "keras_metadata.pb); refused");
            }
        }
    }

    private static final Pattern LAYOUT = Pattern.compile(
            "saved_model\\.pb|fingerprint\\.pb|keras_metadata\\.pb"
                    + "|variables/variables\\.index|variables/variables\\.data-\\d{5}-of-\\d{5}"
                    + "|assets/.+|assets\\.extra/.+");

    private static SavedModel parse(Path pb) throws ModelLoadException {
        try {
            SavedModel model = SavedModel.parseFrom(Files.readAllBytes(pb));
            if (model.getMetaGraphsCount() == 0) {
                throw new ModelLoadException(SAVED_MODEL_PB + " holds no meta graph; not a SavedModel");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException(SAVED_MODEL_PB + " is not a SavedModel: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + SAVED_MODEL_PB + ": " + e, e);
        }
    }

    /** The meta graph TensorFlow will load: the one tagged exactly {"serve"}. */
    private static MetaGraphDef serveGraph(SavedModel model) throws ModelLoadException {
        Set<String> wanted = Set.of(TensorflowModelLoader.SERVE_TAG);
        return model.getMetaGraphsList().stream()
                .filter(m -> Set.copyOf(m.getMetaInfoDef().getTagsList()).equals(wanted))
                .findFirst()
                .orElseThrow(() -> new ModelLoadException("the SavedModel has no meta graph tagged '"
                        + TensorflowModelLoader.SERVE_TAG + "' (tags found: " + model.getMetaGraphsList().stream()
                                .map(m -> m.getMetaInfoDef().getTagsList()).toList() + ")"));
    }

    private static TensorInfo single(Map<String, TensorInfo> tensors, String role, String signatureKey)
            throws ModelLoadException {
        if (tensors.size() != 1) {
            throw new ModelLoadException("signature '" + signatureKey + "' has " + tensors.size() + " " + role
                    + "s " + tensors.keySet() + "; expected exactly one");
        }
        TensorInfo info = tensors.values().iterator().next();
        if (info.getName().isEmpty()) {
            throw new ModelLoadException("signature '" + signatureKey + "': the " + role
                    + " is not a plain tensor (sparse and composite tensors are not served)");
        }
        return info;
    }
}
