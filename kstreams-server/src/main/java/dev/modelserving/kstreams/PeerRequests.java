package dev.modelserving.kstreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GETs to the other instances of the application, for the REST API's forwarded and gathered answers: all at once,
 * within one deadline for the lot (a peer that does not answer costs the deadline once, not once per peer), and
 * each answer capped in bytes (a peer's body is read no further than the cap).
 */
final class PeerRequests {

    /** A peer that did not give a usable answer: no answer in time, an error status, or a body over the cap. */
    static final class Unanswered extends RuntimeException {
        Unanswered(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final Duration deadline;
    private final int maxBodyBytes;

    PeerRequests(Duration deadline, int maxBodyBytes) {
        this.http = HttpClient.newBuilder().connectTimeout(deadline).build();
        this.deadline = deadline;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * The bodies of every URI, in order, once all have answered 200 within the deadline.
     *
     * @throws Unanswered naming every peer that did not (the rest are cancelled)
     */
    List<byte[]> getAll(List<URI> uris) {
        long end = System.nanoTime() + deadline.toNanos();
        Map<URI, CompletableFuture<HttpResponse<byte[]>>> pending = new LinkedHashMap<>();
        // the client's own request timeout is only a backstop, a second past the deadline: with the same timeout
        // it would fail a late peer's request just before the deadline here, and that peer would be reported as
        // failed for another reason than its silence
        Duration backstop = deadline.plusSeconds(1);
        for (URI uri : uris) {
            pending.put(uri, http.sendAsync(HttpRequest.newBuilder(uri).timeout(backstop).GET().build(),
                    info -> new CappedBody(maxBodyBytes)));
        }
        // wait for them all, up to the deadline; then look at each as it is at that moment, before cancelling
        // the late ones (a cancellation could otherwise fail another request before it is looked at)
        try {
            CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
                    .get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException late) {
            // each one's outcome is read below
        } catch (InterruptedException i) {
            Thread.currentThread().interrupt();
            pending.values().forEach(f -> f.cancel(true));
            throw new Unanswered("interrupted while asking " + pending.keySet());
        }
        List<byte[]> out = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<CompletableFuture<?>> late = new ArrayList<>();
        for (Map.Entry<URI, CompletableFuture<HttpResponse<byte[]>>> e : pending.entrySet()) {
            CompletableFuture<HttpResponse<byte[]>> f = e.getValue();
            if (!f.isDone()) {
                late.add(f);
                failures.add(e.getKey() + " did not answer within " + deadline.toMillis() + " ms");
                continue;
            }
            try {
                HttpResponse<byte[]> r = f.join();
                if (r.statusCode() != 200) {
                    failures.add(e.getKey() + " answered " + r.statusCode());
                } else {
                    out.add(r.body());
                }
            } catch (CompletionException | CancellationException x) {
                Throwable cause = x.getCause() instanceof IOException && x.getCause().getCause() != null
                        ? x.getCause().getCause() : x.getCause() != null ? x.getCause() : x;
                failures.add(e.getKey() + " did not answer: " + cause.getMessage());
            }
        }
        late.forEach(f -> f.cancel(true));
        if (!failures.isEmpty()) {
            throw new Unanswered(String.join("; ", failures));
        }
        return out;
    }

    /** A body read into memory, no further than the cap: past it the response fails and the stream is cancelled. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                if (bytes.size() + b.remaining() > cap) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("its answer is larger than " + cap + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
