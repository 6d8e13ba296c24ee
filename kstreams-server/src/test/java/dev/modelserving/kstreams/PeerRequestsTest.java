package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests to other instances, against real HTTP servers on 127.0.0.1: capped, and asked all at once. */
class PeerRequestsTest {

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ServerSocket> silent = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        servers.forEach(s -> s.stop(0));
        for (ServerSocket s : silent) {
            s.close();
        }
    }

    /** A server answering every GET with {@code bytes} bytes, sent in chunks with no length announced. */
    private URI answering(int bytes) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
                }
            } catch (java.io.IOException closedByTheClient) {
                // the client stopped reading at its cap
            }
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/state/value");
    }

    /** A peer that accepts the connection and never answers (a stopped process's kernel still accepts). */
    private URI neverAnswering() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        silent.add(socket);
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/state/value");
    }

    @Test
    void answersUnderTheCapAreReadInOrder() throws Exception {
        PeerRequests peers = new PeerRequests(Duration.ofSeconds(5), 1024 * 1024);
        List<byte[]> bodies = peers.getAll(List.of(answering(10), answering(300_000)));
        assertThat(bodies).extracting(b -> b.length).containsExactly(10, 300_000);
    }

    @Test
    void anAnswerOverTheCapIsRefusedWithoutReadingItAll() throws Exception {
        PeerRequests peers = new PeerRequests(Duration.ofSeconds(5), 1024 * 1024);
        URI big = answering(512 * 1024 * 1024);
        assertThatThrownBy(() -> peers.getAll(List.of(big)))
                .isInstanceOf(PeerRequests.Unanswered.class)
                .hasMessage(big + " did not answer: its answer is larger than 1048576 bytes");
    }

    @Test
    void silentPeersCostTheDeadlineOnceForThemAll() throws Exception {
        PeerRequests peers = new PeerRequests(Duration.ofSeconds(2), 1024);
        List<URI> uris = List.of(neverAnswering(), neverAnswering(), neverAnswering(), answering(10));
        long start = System.nanoTime();
        assertThatThrownBy(() -> peers.getAll(uris))
                .isInstanceOf(PeerRequests.Unanswered.class)
                .hasMessageContaining(uris.get(0) + " did not answer within 2000 ms")
                .hasMessageContaining(uris.get(2) + " did not answer within 2000 ms");
        // three silent peers asked one after another would take 3 deadlines; all at once, one (and some slack)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
