package dev.modelserving.model;

import java.nio.file.Path;
import java.util.List;

/**
 * Limits that apply to every model before it is parsed: models are untrusted input.
 *
 * @param maxModelBytes models larger than this are refused before parsing
 * @param modelRoots directories a by-reference model may be read from; empty: by-reference loading is off
 * @param workDir where loaders may unpack archives (a SavedModel zip); each load uses its own subdirectory
 */
public record LoadingPolicy(long maxModelBytes, List<Path> modelRoots, Path workDir) {

    /** 64 MiB: larger than any wine model, small enough to refuse a flood. */
    public static final long DEFAULT_MAX_MODEL_BYTES = 64L * 1024 * 1024;

    public LoadingPolicy {
        if (maxModelBytes <= 0) {
            throw new IllegalArgumentException("maxModelBytes must be positive, got " + maxModelBytes);
        }
        modelRoots = List.copyOf(modelRoots);
    }

    /** By value only, default size cap, unpacking under the JVM's temporary directory. */
    public static LoadingPolicy defaults() {
        return new LoadingPolicy(DEFAULT_MAX_MODEL_BYTES, List.of(),
                Path.of(System.getProperty("java.io.tmpdir"), "model-serving"));
    }

    public LoadingPolicy withMaxModelBytes(long max) {
        return new LoadingPolicy(max, modelRoots, workDir);
    }

    public LoadingPolicy withModelRoots(List<Path> roots) {
        return new LoadingPolicy(maxModelBytes, roots, workDir);
    }

    public LoadingPolicy withWorkDir(Path dir) {
        return new LoadingPolicy(maxModelBytes, modelRoots, dir);
    }
}
