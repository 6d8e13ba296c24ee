package dev.modelserving.akka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the {@code actor} processor has applied the models topic: partition to the next offset, saved (atomically)
 * after each applied message under the state directory. A restart resumes there: the actors already hold every model
 * up to it, with their statistics, so nothing is replayed over them.
 */
final class ModelsPosition {

    static final String FILE = "models-position.properties";

    private final Path file;
    private final Map<Integer, Long> next = new ConcurrentHashMap<>();

    ModelsPosition(Path stateDir) {
        this.file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] kv = line.split("=", 2);
                    if (kv.length == 2 && !line.startsWith("#")) {
                        next.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException(file + " is not a models position file: " + e.getMessage(), e);
            }
        }
    }

    /** Partition to the next offset to read. */
    Map<Integer, Long> next() {
        return Map.copyOf(next);
    }

    /** The message at this offset has been applied (and its actor's files written). */
    synchronized void applied(int partition, long offset) {
        if (partition < 0) {
            return;
        }
        next.put(partition, offset + 1);
        StringBuilder text = new StringBuilder("# partition=next offset of the models topic\n");
        new TreeMap<>(next).forEach((p, o) -> text.append(p).append('=').append(o).append('\n'));
        try {
            AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the models position to " + file, e);
        }
    }
}
