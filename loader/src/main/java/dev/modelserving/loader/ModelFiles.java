package dev.modelserving.loader;

import com.google.protobuf.ByteString;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelDigest;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Model files turned into descriptors, each checked by loading it with the model library (as a server would)
 * before anything is published: a file that is unreadable, too big or not a model fails here, on the user's
 * machine, and nothing is sent.
 */
final class ModelFiles {

    private ModelFiles() {}

    /**
     * What a user says about a model file.
     *
     * @param sample a CSV file of records the model must score before it is published, or null
     */
    record Spec(Path file, ModelType type, String dataType, String name, String description, String version,
            boolean byReference, TensorflowNames tf, Path sample) {

        Spec(Path file, ModelType type, String dataType, String name, String description, String version,
                boolean byReference, TensorflowNames tf) {
            this(file, type, dataType, name, description, version, byReference, tf, null);
        }
    }

    /** How many rows of a sample file a model scores before it is published. */
    static final int MAX_SAMPLE_ROWS = 10_000;

    /**
     * Where a TensorFlow model is fed and fetched, and the features its input columns are; empty strings and an
     * empty list mean the defaults.
     */
    record TensorflowNames(String input, String output, String signature, List<String> inputFeatures) {
        static final TensorflowNames DEFAULTS = new TensorflowNames("", "", "", List.of());
    }

    /** Reads, describes and validates one model file. */
    static ModelDescriptor describe(Spec spec) throws ModelLoadException {
        byte[] bytes = read(spec.file());
        String base = spec.file().getFileName().toString().replaceFirst("\\.[^.]+$", "");
        ModelDescriptor.Builder d = ModelDescriptor.newBuilder()
                .setName(spec.name() == null ? base : spec.name())
                .setDescription(spec.description() == null ? spec.type() + " model from " + spec.file().getFileName()
                        : spec.description())
                .setDataType(spec.dataType())
                .setModeltype(spec.type())
                .setVersion(spec.version() == null ? ModelDigest.sha256(bytes).substring(0, 12) : spec.version())
                .setPublishedAtMs(System.currentTimeMillis());
        if (spec.type() == ModelType.TENSORFLOW) {
            d.setTfFormat(spec.file().toString().endsWith(".zip") ? TensorflowFormat.SAVED_MODEL_ZIP
                    : TensorflowFormat.FROZEN_GRAPH)
                    .setTfInput(spec.tf().input()).setTfOutput(spec.tf().output()).setTfSignature(spec.tf().signature())
                    .addAllInputFeatures(spec.tf().inputFeatures());
        } else if (!spec.tf().inputFeatures().isEmpty()) {
            throw new ModelLoadException("--inputs names a TensorFlow model's input columns; a PMML model declares"
                    + " its own inputs");
        }
        if (spec.byReference()) {
            d.setLocation(spec.file().toAbsolutePath().normalize().toString()).setSha256(ModelDigest.sha256(bytes));
        } else {
            d.setData(ByteString.copyFrom(bytes));
        }
        ModelDescriptor descriptor = d.build();
        validate(descriptor, spec.file().toAbsolutePath().getParent(), spec.sample());
        return descriptor;
    }

    /** Every model file of a directory (*.pmml, *.pb, *.zip), sorted by name, all validated. */
    static List<ModelDescriptor> directory(Path dir, String dataType) throws ModelLoadException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> typeOf(f) != null).sorted().toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list the model directory " + dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new ModelLoadException("no model files (*.pmml, *.pb, *.zip) in " + dir);
        }
        List<ModelDescriptor> out = new ArrayList<>();
        for (Path f : files) {
            out.add(describe(new Spec(f, typeOf(f), dataType, null, null, null, false, TensorflowNames.DEFAULTS)));
        }
        return out;
    }

    /**
     * The project's own trained wine models (the loader sends wines; the churn models score other records), serving
     * the given dataType.
     */
    static List<ModelDescriptor> projectModels(String dataType) {
        return Stream.of(ProjectModel.values()).filter(m -> m.dataType.equals(ProjectData.DATA_TYPE))
                .map(m -> m.descriptor("1").toBuilder().setDataType(dataType).build()).toList();
    }

    /**
     * Scores the first {@value #MAX_SAMPLE_ROWS} rows of a CSV file; a row the model cannot score refuses the model,
     * naming the row's line and the reason (the first of them, and how many failed).
     */
    private static void scoreSample(Model model, String dataType, Path sample) throws ModelLoadException {
        List<CsvRecords.Row> rows;
        try {
            CsvRecords records = CsvRecords.open(CsvRecords.Source.file(sample), RecordFormat.FEATURES, dataType,
                    true, MAX_SAMPLE_ROWS);
            rows = records.firstRows(MAX_SAMPLE_ROWS);
        } catch (CsvRecords.CsvException e) {
            throw new ModelLoadException("the sample is not a usable CSV file: " + e.getMessage());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the sample " + sample + ": " + e);
        }
        if (rows.isEmpty()) {
            throw new ModelLoadException("the sample " + sample + " has no rows");
        }
        String first = null;
        int failed = 0;
        for (CsvRecords.Row row : rows) {
            try {
                model.score(row.record());
            } catch (RuntimeException e) {
                failed++;
                first = first != null ? first : sample + ":" + row.line() + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        if (failed > 0) {
            throw new ModelLoadException("the model failed on " + failed + " of the " + rows.size()
                    + " sample rows; the first: " + first);
        }
    }

    /** PMML for *.pmml and *.xml, TensorFlow for *.pb and *.zip, null otherwise. */
    static ModelType typeOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pmml") || name.endsWith(".xml")) {
            return ModelType.PMML;
        }
        return name.endsWith(".pb") || name.endsWith(".zip") ? ModelType.TENSORFLOW : null;
    }

    private static byte[] read(Path file) throws ModelLoadException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ModelLoadException("cannot read model file " + file + ": it does not exist or is not a file");
            }
            if (Files.size(file) > LoadingPolicy.DEFAULT_MAX_MODEL_BYTES) {
                throw new ModelLoadException("model file " + file + " is " + Files.size(file)
                        + " bytes, over the servers' cap of " + LoadingPolicy.DEFAULT_MAX_MODEL_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + file + ": " + e.getMessage());
        }
    }

    private static void validate(ModelDescriptor d, Path root, Path sample) throws ModelLoadException {
        Path work;
        try {
            work = Files.createTempDirectory("model-check-");
        } catch (IOException e) {
            throw new ModelLoadException("cannot create a directory to check the model in: " + e.getMessage());
        }
        LoadingPolicy policy = LoadingPolicy.defaults().withModelRoots(List.of(root)).withWorkDir(work);
        try (Model model = new ModelFactory(policy).load(d)) {
            // loaded and scored the sample records: good to publish, unless it fails on the user's own
            if (sample != null) {
                scoreSample(model, d.getDataType(), sample);
            }
        } finally {
            try {
                Files.deleteIfExists(work);
            } catch (IOException ignored) {
                // an empty temp directory is harmless
            }
        }
    }
}
