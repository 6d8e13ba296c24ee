package dev.modelserving.akka;

import akka.Done;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes the outcomes of the data stream a batch at a time: each result to the results topic and each dead letter
 * to the dead-letter topic, every one by the shared {@link Delivery} rule (a retriable failure is retried for as
 * long as it lasts, any other given up after {@value Delivery#MAX_ATTEMPTS} attempts); a skipped record has nothing
 * to write. One Kafka producer serves every (re)start of the data stream, so a restart does not lose what is on its
 * way. It is made for the first message, not before (Kafka's client refuses to be made while the broker's address
 * does not resolve; by the first message the data consumer has reached the broker), and a failure to make it fails
 * that attempt only: the next one tries again.
 *
 * <p>A batch's messages are handed to the producer on a thread of the writer's own, batch after batch in the order
 * they were given: the messages of a partition's records are first sent in its order (a retry comes later, from
 * {@link Delivery}'s own thread), and the stream's thread never waits on the producer (a send blocks while the
 * producer has no metadata for its topic, or while its buffer is full). One task per batch, not per message; each
 * send completes a plain {@link CompletableFuture} in the producer's callback, so nothing waiting on it hops to
 * another thread.
 */
final class OutcomeWriter {

    private final Supplier<Producer<byte[], byte[]>> makeProducer;
    private volatile Producer<byte[], byte[]> producer;
    private boolean closed; // guarded by this
    private final Duration closeTimeout;
    private final Delivery delivery;
    private final Topics topics;
    private final ExecutorService sending = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "outcome-writer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param makeProducer makes the producer to write with (closed by {@link #close})
     * @param closeTimeout how long {@link #close} gives the producer to send what it holds
     */
    OutcomeWriter(Supplier<Producer<byte[], byte[]>> makeProducer, Duration closeTimeout, Delivery delivery,
            Topics topics) {
        this.makeProducer = makeProducer;
        this.closeTimeout = closeTimeout;
        this.delivery = delivery;
        this.topics = topics;
    }

    /**
     * Writes every result and dead letter of a batch. The returned stage completes once each of them is written or
     * given up (it fails only if the batch could not be handed to the writer's thread: after {@link #close}).
     */
    CompletableFuture<Void> write(List<? extends Outcome<?>> batch) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        sending.execute(() -> {
            try {
                writeAll(batch, written);
            } catch (RuntimeException e) {
                written.completeExceptionally(e);
            } catch (Error e) {
                written.completeExceptionally(e);
                throw e;
            }
        });
        return written;
    }

    private void writeAll(List<? extends Outcome<?>> batch, CompletableFuture<Void> written) {
        delivery.writeAll(batch, topics, this::send).whenComplete((ok, never) -> written.complete(null));
    }

    /** One attempt: completes when the broker has the message, or with why it does not. */
    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        producer().send(record, (metadata, error) -> {
            if (error == null) {
                sent.complete(metadata);
            } else {
                sent.completeExceptionally(error);
            }
        });
        return sent;
    }

    private Producer<byte[], byte[]> producer() {
        Producer<byte[], byte[]> p = producer;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the outcome writer is closed");
            }
            if (producer == null) {
                producer = makeProducer.get(); // when it throws, this attempt fails and the next makes it again
            }
            return producer;
        }
    }

    /**
     * Takes no more batches, then, on {@code blocking}, has the producer send what it holds and closes it (within
     * the close timeout).
     */
    CompletionStage<Done> close(Executor blocking) {
        sending.shutdown();
        return CompletableFuture.supplyAsync(() -> {
            Producer<byte[], byte[]> p;
            synchronized (this) {
                closed = true;
                p = producer;
            }
            if (p != null) {
                p.flush();
                p.close(closeTimeout);
            }
            return Done.getInstance();
        }, blocking);
    }
}
