package dev.modelserving.model.tensorflow;

import java.nio.file.Path;

/**
 * Where TF Java's native libraries are unpacked. JavaCPP extracts ~500 MB on first use; its default cache lives under
 * the user's home but test JVMs often point {@code java.io.tmpdir} at a build directory, and a per-build copy fills
 * the disk. Call {@link #configureNativeCache()} before any {@code org.tensorflow} class initialises.
 */
public final class TensorflowRuntime {

    /** The JavaCPP system property that names the extraction directory. */
    public static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    private TensorflowRuntime() {}

    /** Sets {@value #CACHE_DIR_PROPERTY} to {@code ~/.cache/model-serving/javacpp} unless it is already set. */
    public static synchronized void configureNativeCache() {
        if (System.getProperty(CACHE_DIR_PROPERTY) == null) {
            System.setProperty(CACHE_DIR_PROPERTY, defaultCacheDir().toString());
        }
    }

    static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "model-serving", "javacpp");
    }
}
