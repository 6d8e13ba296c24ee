package dev.modelserving.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Limits that apply to every model before it is parsed: models are untrusted input.
 *
 * @param maxModelBytes models larger than this are refused before parsing
 * @param modelRoots directories a by-reference model may be read from; empty: by-reference loading is off
 * @param workDir where loaders may unpack archives (a SavedModel zip), private to this user ({@link WorkDirectory});
 *     each load uses its own subdirectory
 * @param loadTimeout how long a load (reading, parsing, scoring the sample records) may take before the model is
 *     refused
 */
public record LoadingPolicy(long maxModelBytes, List<Path> modelRoots, Path workDir, Duration loadTimeout) {

    /** 64 MiB: larger than any wine model, small enough to refuse a flood. */
    public static final long DEFAULT_MAX_MODEL_BYTES = 64L * 1024 * 1024;
    /** 60 s: the project's largest model (a TensorFlow SavedModel) loads in about a second. */
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(60);

    public LoadingPolicy {
        if (maxModelBytes <= 0) {
            throw new IllegalArgumentException("maxModelBytes must be positive, got " + maxModelBytes);
        }
        modelRoots = List.copyOf(modelRoots);
        if (loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("loadTimeout must be positive, got " + loadTimeout);
        }
    }

    /**
     * By value only, default size cap and load timeout, unpacking under {@link WorkDirectory#defaultPath()} (a
     * directory of this user's own under the JVM's temporary directory).
     */
    public static LoadingPolicy defaults() {
        return new LoadingPolicy(DEFAULT_MAX_MODEL_BYTES, List.of(), WorkDirectory.defaultPath(),
                DEFAULT_LOAD_TIMEOUT);
    }

    public LoadingPolicy withMaxModelBytes(long max) {
        return new LoadingPolicy(max, modelRoots, workDir, loadTimeout);
    }

    public LoadingPolicy withModelRoots(List<Path> roots) {
        return new LoadingPolicy(maxModelBytes, roots, workDir, loadTimeout);
    }

    public LoadingPolicy withWorkDir(Path dir) {
        return new LoadingPolicy(maxModelBytes, modelRoots, dir, loadTimeout);
    }

    public LoadingPolicy withLoadTimeout(Duration timeout) {
        return new LoadingPolicy(maxModelBytes, modelRoots, workDir, timeout);
    }
}
