package dev.modelserving.model.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorflowRuntimeTest {

    @Test
    void nativeCacheDefaultsToTheUserCacheAndKeepsAConfiguredOne() {
        String configured = System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
        try {
            System.clearProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
            TensorflowRuntime.configureNativeCache();
            assertThat(System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY)).isEqualTo(
                    Path.of(System.getProperty("user.home"), ".cache", "model-serving", "javacpp").toString());

            System.setProperty(TensorflowRuntime.CACHE_DIR_PROPERTY, "/somewhere/else");
            TensorflowRuntime.configureNativeCache();
            assertThat(System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY)).isEqualTo("/somewhere/else");
        } finally {
            if (configured == null) {
                System.clearProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
            } else {
                System.setProperty(TensorflowRuntime.CACHE_DIR_PROPERTY, configured);
            }
        }
    }

    /** A process that holds the load lock until its standard input closes, and says so before it lets go. */
    private static final String HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.Files;
            import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
            import java.nio.file.StandardOpenOption;

            public class HoldLock {
                public static void main(String[] args) throws Exception {
                    try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE)) {
                        c.lock();
                        System.out.println("locked");
                        System.out.flush();
                        while (System.in.read() != -1) {
                            // until the test closes our input
                        }
                        Files.createFile(Path.of(args[1]));
                    }
                }
            }
            """;

    @Test
    void aLoadWaitsWhileAnotherProcessHoldsTheLoadLock(@TempDir Path dir) throws Exception {
        Path procLocks = Path.of("/proc/locks");
        assumeTrue(Files.isReadable(procLocks), "Linux's /proc/locks shows who waits for a lock");
        Path lockFile = dir.resolve(TensorflowRuntime.LOAD_LOCK);
        Path released = dir.resolve("released");
        Path source = Files.writeString(dir.resolve("HoldLock.java"), HOLDER);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), lockFile.toString(), released.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("locked");
            AtomicReference<Boolean> sawReleased = new AtomicReference<>();
            Thread loader = new Thread(() -> TensorflowRuntime.underLoadLock(dir,
                    () -> sawReleased.set(Files.exists(released))));
            loader.start();

            // the kernel lists a process blocked on a lock as "N: -> POSIX ... major:minor:inode ..."
            String inode = ":" + Files.getAttribute(lockFile, "unix:ino") + " ";
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(procLocks).stream()
                    .anyMatch(line -> line.contains("->") && line.contains(inode)));
            assertThat(sawReleased.get()).as("the load ran while another process held the lock").isNull();

            holder.getOutputStream().close();
            loader.join(Duration.ofSeconds(30).toMillis());
            assertThat(sawReleased.get()).as("the load ran after the other process let go").isTrue();
        } finally {
            holder.destroyForcibly();
        }
    }
}
