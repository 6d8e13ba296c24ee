package dev.modelserving.suite;

import dev.modelserving.broker.ChildJvm;
import dev.modelserving.broker.SaslPlainListener;
import dev.modelserving.broker.TlsListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The project's Kafka broker as a process of its own ({@code broker/target/broker.jar}), on 127.0.0.1 and a free
 * port, for tests whose server must not share the test's JVM with the broker; on request with a TLS listener and a
 * SASL/PLAIN one besides.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final String READY = "Kafka broker ready at ";
    private static final String LISTENER = "Kafka broker listener ";

    private final Process process;
    private final String bootstrapServers;
    /** Listener name (SSL, SASL_PLAINTEXT) to host:port, for the listeners besides PLAINTEXT. */
    private final Map<String, String> listeners;

    private BrokerProcess(Process process, String bootstrapServers, Map<String, String> listeners) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.listeners = Map.copyOf(listeners);
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
        return start(brokerJar, dataDir, port, controllerPort, null, null);
    }

    /**
     * The same, with a TLS listener and a SASL/PLAIN listener besides PLAINTEXT (either may be null for none; a
     * listener's port 0: a free one).
     */
    public static BrokerProcess start(Path brokerJar, Path dataDir, int port, int controllerPort, TlsListener tls,
            SaslPlainListener sasl) throws Exception {
        if (!Files.exists(brokerJar)) {
            throw new IllegalStateException(brokerJar.toAbsolutePath() + " is missing: build the broker module first");
        }
        List<String> args = new ArrayList<>(List.of("-jar", brokerJar.toString(), "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort), "--data-dir",
                dataDir.toAbsolutePath().toString()));
        if (tls != null) {
            args.addAll(List.of("--ssl-port", String.valueOf(tls.port()), "--ssl-keystore", tls.keystore().toString(),
                    "--ssl-keystore-password", tls.keystorePassword()));
            if (tls.truststore() != null) {
                args.addAll(List.of("--ssl-truststore", tls.truststore().toString(), "--ssl-truststore-password",
                        tls.truststorePassword()));
            }
        }
        if (sasl != null) {
            args.addAll(List.of("--sasl-port", String.valueOf(sasl.port()), "--sasl-user", sasl.username(),
                    "--sasl-password", sasl.password()));
        }
        Process p = ChildJvm.of(args).redirectErrorStream(true).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Map<String, String> listeners = new ConcurrentHashMap<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.startsWith(LISTENER)) {
                        String[] nameAtAddress = line.substring(LISTENER.length()).split(" at ");
                        listeners.put(nameAtAddress[0], nameAtAddress[1].strip());
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
            return new BrokerProcess(p, ready.get(60, TimeUnit.SECONDS), listeners);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the broker did not start: " + output, e);
        }
    }

    /** host:port of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** host:port of the TLS listener, if the broker was started with one. */
    public String sslBootstrapServers() {
        return listener(TlsListener.NAME);
    }

    /** host:port of the SASL/PLAIN listener, if the broker was started with one. */
    public String saslBootstrapServers() {
        return listener(SaslPlainListener.NAME);
    }

    private String listener(String name) {
        String address = listeners.get(name);
        if (address == null) {
            throw new IllegalStateException("the broker has no " + name + " listener (it has " + listeners.keySet()
                    + " besides PLAINTEXT)");
        }
        return address;
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
