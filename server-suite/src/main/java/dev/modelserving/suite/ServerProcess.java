package dev.modelserving.suite;

import dev.modelserving.broker.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server running as a child process from its packaged artifact, its output in a log file. Ready when its REST
 * API answers {@code GET /state}.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final URI base;
    private final Path log;

    private ServerProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts {@code java <jvmArgs> <mainArgs>} and waits (at most 90 s) until the REST API answers. */
    public static ServerProcess start(List<String> jvmAndMainArgs, int httpPort, Path log) throws Exception {
        Files.createDirectories(log.getParent());
        Process p = ChildJvm.of(jvmAndMainArgs).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ServerProcess server = new ServerProcess(p, URI.create("http://127.0.0.1:" + httpPort), log);
        server.awaitRest(Duration.ofSeconds(90));
        return server;
    }

    public URI base() {
        return base;
    }

    /** The operating system's id of the server's process (for its CPU time and memory in /proc). */
    public long pid() {
        return process.pid();
    }

    private void awaitRest(Duration limit) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/state"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        close();
        throw new IllegalStateException("the server's REST API did not answer within " + limit + ":\n" + tail());
    }

    /** Graceful stop (SIGTERM), as an operator's restart does. */
    public void stop() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the server did not stop within 60 s of SIGTERM:\n" + tail());
        }
    }

    /** A crash: SIGKILL, no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not die within 30 s of SIGKILL");
        }
    }

    /** The last lines of the server's log, for a failure message. */
    public String tail() throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop();
        }
    }
}
