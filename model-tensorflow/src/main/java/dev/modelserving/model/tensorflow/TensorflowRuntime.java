package dev.modelserving.model.tensorflow;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.tensorflow.TensorFlow;

/**
 * Where TF Java's native libraries are unpacked. JavaCPP extracts ~500 MB on first use; its default cache lives under
 * the user's home but test JVMs often point {@code java.io.tmpdir} at a build directory, and a per-build copy fills
 * the disk. Call {@link #configureNativeCache()} before any {@code org.tensorflow} class initialises, and
 * {@link #ensureLoaded()} before the first use of TensorFlow.
 *
 * <p>JavaCPP unpacks a library again, deleting and rewriting it in place, when the cached file's size or date differs
 * from the jar entry's, and a jar entry's date depends on the JVM's time zone: a JVM in another zone (a test JVM, a
 * server started with another {@code TZ}) rewrites the cache. A process that maps the library while it is rewritten
 * can die of SIGBUS (JavaCPP issue 608 describes the race; the fault suite saw a Kafka Streams server die of SIGBUS
 * in the dynamic loader, loading TensorFlow while its neighbours did). {@link #ensureLoaded()} therefore unpacks and loads the library holding an
 * exclusive lock on the cache directory, so the project's processes never map a library another one is writing.
 */
public final class TensorflowRuntime {

    /** The JavaCPP system property that names the extraction directory. */
    public static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    /** Held while a process unpacks and loads the library (JavaCPP's own {@code .lock} is held only to unpack). */
    static final String LOAD_LOCK = ".model-serving-load.lock";
    private static final System.Logger LOG = System.getLogger(TensorflowRuntime.class.getName());
    private static volatile boolean loaded;

    private TensorflowRuntime() {}

    /**
     * Unpacks (if needed) and loads TensorFlow's native library, once per JVM, holding an exclusive lock on the
     * cache directory meanwhile; waits while another process does the same. If the lock cannot be taken (a read-only
     * cache directory), the library is loaded without it.
     */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (TensorflowRuntime.class) {
            if (loaded) {
                return;
            }
            configureNativeCache();
            underLoadLock(Path.of(System.getProperty(CACHE_DIR_PROPERTY)), TensorFlow::version);
            loaded = true;
        }
    }

    /** Runs the load holding the cache directory's load lock, waiting for it; without it if it cannot be taken. */
    static void underLoadLock(Path dir, Runnable load) {
        FileChannel lock = lock(dir.resolve(LOAD_LOCK));
        try {
            load.run();
        } finally {
            if (lock != null) {
                try {
                    lock.close(); // releases the lock
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot close " + dir.resolve(LOAD_LOCK) + ": " + e);
                }
            }
        }
    }

    /** The lock file's channel, once this process holds its lock; null (and a warning) if it cannot be taken. */
    private static FileChannel lock(Path lockFile) {
        FileChannel channel = null;
        try {
            Files.createDirectories(lockFile.getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.lock();
            return channel;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot lock " + lockFile + " (" + e + "): TensorFlow's native library is loaded"
                    + " without it");
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the warning above says what matters
                }
            }
            return null;
        }
    }

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
