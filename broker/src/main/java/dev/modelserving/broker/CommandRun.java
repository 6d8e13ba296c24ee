package dev.modelserving.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * For tests: one run of a packaged command line ({@code java -jar JAR args}) as a process of its own, as a user
 * runs it (a {@link ChildJvm}, without colours), with its exit code and what it printed. A run that outlives its
 * deadline is killed and fails.
 *
 * @param exitCode the process's exit code
 * @param out standard output
 * @param err standard error
 */
public record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code java -jar jar args...} with this JVM's java and waits at most {@code deadline}. */
    public static CommandRun javaJar(Path jar, Duration deadline, String... args) {
        List<String> command = new ArrayList<>(List.of("-Dpicocli.ansi=false", "-jar", jar.toString()));
        command.addAll(List.of(args));
        try {
            Process p = ChildJvm.of(command).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("java " + String.join(" ", command) + " still ran after " + deadline);
            }
            return new CommandRun(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
