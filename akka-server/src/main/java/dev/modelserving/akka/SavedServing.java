package dev.modelserving.akka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a serving actor keeps on disk for its dataType, so a restarted server serves the same model with the same
 * statistics without a republish: {@code model.pb} (the live model's descriptor), {@code previous.pb} (the version a
 * rollback goes back to), {@code candidate.pb} (the candidate's, with its rule) and {@code stats.json}, in a
 * directory per dataType. The directory is named by the dataType hex-encoded (any dataType is a safe file name);
 * a dataType of more than {@value #MAX_HEX_BYTES} bytes, whose hex name would pass the file system's 255, gets
 * {@value #HASHED} and the SHA-256 of its bytes instead, with the dataType itself in {@value #DATA_TYPE_FILE}.
 * Every file is written to a temporary file and renamed over the old one: a crash leaves the old file or the new
 * one, never half of one.
 */
final class SavedServing {

    static final String MODEL_FILE = "model.pb";
    static final String PREVIOUS_FILE = "previous.pb";
    static final String CANDIDATE_FILE = "candidate.pb";
    static final String STATS_FILE = "stats.json";
    static final String DATA_TYPE_FILE = "datatype";
    static final int MAX_HEX_BYTES = 100;
    static final String HASHED = "sha256-";

    private final Path dir;
    private final String dataType;
    private final ObjectMapper json = Json.mapper();

    SavedServing(Path root, String dataType) {
        this.dir = root.resolve(dirName(dataType));
        this.dataType = dataType;
    }

    /** The directory (and actor) name of a dataType: its bytes in hex, or the hash of a long one. */
    static String dirName(String dataType) {
        byte[] bytes = dataType.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_HEX_BYTES) {
            return HexFormat.of().formatHex(bytes);
        }
        try {
            return HASHED + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The dataType a directory under the state root holds, if it is one of ours. */
    static Optional<String> dataTypeOf(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        if (name.startsWith(HASHED)) {
            Path f = dir.resolve(DATA_TYPE_FILE);
            return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8)) : Optional.empty();
        }
        try {
            return Optional.of(new String(HexFormat.of().parseHex(name), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }

    Path dir() {
        return dir;
    }

    /** Deletes what is saved of the dataType (its directory). */
    void delete() throws IOException {
        if (Files.exists(dir)) {
            dev.modelserving.model.WorkDirectory.delete(dir);
        }
    }

    /** The saved descriptors of the live model, the previous version and the candidate (null where none is saved). */
    ModelRegistry.SavedModels models() throws IOException {
        return new ModelRegistry.SavedModels(descriptor(MODEL_FILE).orElse(null),
                descriptor(PREVIOUS_FILE).orElse(null), descriptor(CANDIDATE_FILE).orElse(null));
    }

    private Optional<ModelDescriptor> descriptor(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Optional.of(ModelDescriptor.parseFrom(Files.readAllBytes(f))) : Optional.empty();
    }

    /** Saves the models of the dataType; a role without a model has its file removed. */
    void saveModels(ModelRegistry.SavedModels models) {
        save(MODEL_FILE, models.live());
        save(PREVIOUS_FILE, models.previous());
        save(CANDIDATE_FILE, models.candidate());
    }

    private void save(String name, ModelDescriptor d) {
        if (d != null) {
            write(name, d.toByteArray());
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir.resolve(name), e);
        }
    }

    /** The saved statistics, if there are some. */
    Optional<ServingStats> stats() throws IOException {
        Path f = dir.resolve(STATS_FILE);
        return Files.exists(f) ? Optional.of(json.readValue(f.toFile(), ServingStats.class)) : Optional.empty();
    }

    void saveStats(ServingStats stats) {
        try {
            write(STATS_FILE, json.writeValueAsBytes(stats));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, byte[] bytes) {
        try {
            if (dir.getFileName().toString().startsWith(HASHED) && !Files.exists(dir.resolve(DATA_TYPE_FILE))) {
                AtomicFile.write(dir.resolve(DATA_TYPE_FILE), dataType.getBytes(StandardCharsets.UTF_8));
            }
            AtomicFile.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dir.resolve(name), e);
        }
    }
}
