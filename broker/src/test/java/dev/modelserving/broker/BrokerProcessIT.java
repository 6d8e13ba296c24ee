package dev.modelserving.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged broker ({@code java -jar target/broker.jar}) as a child process: it starts, serves a round trip,
 * stops on SIGTERM, and a restart on the same data directory still has the records.
 */
class BrokerProcessIT {

    @Test
    void theStandaloneBrokerServesStopsAndKeepsItsDataAcrossARestart() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "broker-process-");
        String topic = "process-" + UUID.randomUUID();

        Process first = launch(data);
        String bootstrap = awaitReady(first);
        EmbeddedKafkaBrokerTest.produce(bootstrap, topic, List.of("kept"));
        assertThat(EmbeddedKafkaBrokerTest.consume(bootstrap, topic, 1)).containsExactly("kept");
        stop(first);

        Process second = launch(data);
        try {
            String again = awaitReady(second);
            assertThat(EmbeddedKafkaBrokerTest.consume(again, topic, 1)).containsExactly("kept");
        } finally {
            stop(second);
        }
    }

    private static Process launch(Path data) throws Exception {
        return ChildJvm.of(List.of("-jar", "target/broker.jar", "--port", "0", "--data-dir", data.toString()))
                .redirectErrorStream(true).start();
    }

    /** Reads the process's output until its ready line; the address is in it. */
    private static String awaitReady(Process p) throws Exception {
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder seen = new StringBuilder();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(KafkaBrokerMain.READY)) {
                        drain(out);
                        return line.substring(KafkaBrokerMain.READY.length()).split(" ")[0];
                    }
                    seen.append(line).append('\n');
                }
                throw new IllegalStateException("the broker exited before it was ready:\n" + seen);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return ready.get(60, TimeUnit.SECONDS);
    }

    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty so the broker never blocks on its own logging
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "broker-output");
        t.setDaemon(true);
        t.start();
    }

    private static void stop(Process p) throws Exception {
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the broker stops on SIGTERM").isTrue();
        assertThat(p.exitValue()).isIn(0, 143);
    }
}
