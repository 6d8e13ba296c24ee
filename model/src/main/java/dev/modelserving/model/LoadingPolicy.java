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
 * @param maxDataTypes how many dataTypes a registry serves at most: a model for one more is refused with the reason
 *     (one whose model was removed gives its place up)
 */
public record LoadingPolicy(long maxModelBytes, List<Path> modelRoots, Path workDir, Duration loadTimeout,
        int maxDataTypes) {

    /** 64 MiB: larger than any wine model, small enough to refuse a flood. */
    public static final long DEFAULT_MAX_MODEL_BYTES = 64L * 1024 * 1024;
    /** 60 s: the project's largest model (a TensorFlow SavedModel) loads in about a second. */
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(60);
    /** 1,000: far more than a server is given models for, few enough to keep the per-dataType meters bounded. */
    public static final int DEFAULT_MAX_DATA_TYPES = 1_000;

    public LoadingPolicy {
        if (maxModelBytes <= 0) {
            throw new IllegalArgumentException("maxModelBytes must be positive, got " + maxModelBytes);
        }
        modelRoots = List.copyOf(modelRoots);
        if (loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("loadTimeout must be positive, got " + loadTimeout);
        }
        if (maxDataTypes < 1) {
            throw new IllegalArgumentException("maxDataTypes must be 1 or more, got " + maxDataTypes);
        }
    }

    /**
     * By value only, default size cap and load timeout, unpacking under {@link WorkDirectory#defaultPath()} (a
     * directory of this user's own under the JVM's temporary directory).
     */
    public static LoadingPolicy defaults() {
        return new LoadingPolicy(DEFAULT_MAX_MODEL_BYTES, List.of(), WorkDirectory.defaultPath(),
                DEFAULT_LOAD_TIMEOUT, DEFAULT_MAX_DATA_TYPES);
    }

    public LoadingPolicy withMaxModelBytes(long max) {
        return new LoadingPolicy(max, modelRoots, workDir, loadTimeout, maxDataTypes);
    }

    public LoadingPolicy withModelRoots(List<Path> roots) {
        return new LoadingPolicy(maxModelBytes, roots, workDir, loadTimeout, maxDataTypes);
    }

    public LoadingPolicy withWorkDir(Path dir) {
        return new LoadingPolicy(maxModelBytes, modelRoots, dir, loadTimeout, maxDataTypes);
    }

    public LoadingPolicy withLoadTimeout(Duration timeout) {
        return new LoadingPolicy(maxModelBytes, modelRoots, workDir, timeout, maxDataTypes);
    }

    public LoadingPolicy withMaxDataTypes(int max) {
        return new LoadingPolicy(maxModelBytes, modelRoots, workDir, loadTimeout, max);
    }
}
