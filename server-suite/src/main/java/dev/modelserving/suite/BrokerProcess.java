package dev.modelserving.suite;

import dev.modelserving.broker.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The project's Kafka broker as a process of its own ({@code broker/target/broker.jar}), on 127.0.0.1 and a free
 * port, for tests whose server must not share the test's JVM with the broker.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final String READY = "Kafka broker ready at ";

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker on free ports and waits (at most 60 s) until it says it is ready. */
    public static BrokerProcess start(Path brokerJar, Path dataDir) throws Exception {
        return start(brokerJar, dataDir, 0, 0);
    }

    /**
     * Starts the broker on these ports (0: a free one) and waits (at most 60 s) until it says it is ready. Started
     * again on the same data directory and ports after a {@link #kill()}, it is the same broker with the same data.
     */
    public static BrokerProcess start(Path brokerJar, Path dataDir, int port, int controllerPort) throws Exception {
        if (!Files.exists(brokerJar)) {
            throw new IllegalStateException(brokerJar.toAbsolutePath() + " is missing: build the broker module first");
        }
        Process p = ChildJvm.of(List.of("-jar", brokerJar.toString(), "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort), "--data-dir",
                dataDir.toAbsolutePath().toString())).redirectErrorStream(true).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.startsWith(READY)) {
                        ready.complete(line.substring(READY.length()).split(" ")[0]);
                    }
                }
                ready.completeExceptionally(new IllegalStateException("the broker exited: " + output));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        }, "broker-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new BrokerProcess(p, ready.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the broker did not start: " + output, e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A crash: SIGKILL, nothing flushed; the data directory is as the broker left it. */
    public void kill() throws Exception {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the broker did not die within 30 s of SIGKILL");
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
