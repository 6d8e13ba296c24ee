package dev.modelserving.akka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a serving actor keeps on disk for its dataType, so a restarted server serves the same model with the same
 * statistics without a republish: {@code model.pb} (the live model's descriptor) and {@code stats.json}, in a
 * directory per dataType (its name hex-encoded, so any dataType is a safe file name). Every file is written to a
 * temporary file and renamed over the old one: a crash leaves the old file or the new one, never half of one.
 */
final class SavedServing {

    static final String MODEL_FILE = "model.pb";
    static final String STATS_FILE = "stats.json";

    private final Path dir;
    private final ObjectMapper json = Json.mapper();

    SavedServing(Path root, String dataType) {
        this.dir = root.resolve(HexFormat.of().formatHex(dataType.getBytes(StandardCharsets.UTF_8)));
    }

    Path dir() {
        return dir;
    }

    /** The saved descriptor of the live model, if there is one. */
    Optional<ModelDescriptor> model() throws IOException {
        Path f = dir.resolve(MODEL_FILE);
        return Files.exists(f) ? Optional.of(ModelDescriptor.parseFrom(Files.readAllBytes(f))) : Optional.empty();
    }

    /** The saved statistics, if there are some. */
    Optional<ServingStats> stats() throws IOException {
        Path f = dir.resolve(STATS_FILE);
        return Files.exists(f) ? Optional.of(json.readValue(f.toFile(), ServingStats.class)) : Optional.empty();
    }

    void saveModel(ModelDescriptor d) {
        write(MODEL_FILE, d.toByteArray());
    }

    void removeModel() {
        try {
            Files.deleteIfExists(dir.resolve(MODEL_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir.resolve(MODEL_FILE), e);
        }
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
            AtomicFile.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dir.resolve(name), e);
        }
    }
}
