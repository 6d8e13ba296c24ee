package dev.modelserving.reactive;

import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.ServingMetrics;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Scores the data topic in batches through the shared {@link RecordScoring}: one model call per dataType per
 * batch. Results go to the results channel, keyed as their input record was;
 * records that cannot be decoded, or that the model could not score, go to the dead-letter channel as they came,
 * with the {@link Provenance} headers. A batch is acknowledged (its offsets committed) only when every result and
 * dead letter of it is written, or given up by the {@link Delivery} rule (a write Kafka will never take): at-least-once,
 * and one bad record does not stop the records behind it.
 */
@ApplicationScoped
public class Scorer {

    /** Batches whose results may be on their way to Kafka at once. */
    static final int MAX_BATCHES_IN_FLIGHT = 8;

    private final Semaphore inFlight = new Semaphore(MAX_BATCHES_IN_FLIGHT);

    private final ModelHolder models;
    private final RecordScoring scoring;
    private final Delivery delivery;
    private final StartupCatchUp catchUp;
    private final Emitter<byte[]> results;
    private final Emitter<byte[]> deadLetters;

    Scorer(ModelHolder models, ServingMetrics metrics, ServerSettings settings, Delivery delivery,
            StartupCatchUp catchUp,
            @Channel("results") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384) Emitter<byte[]> results,
            @Channel("dead-letters") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384) Emitter<byte[]> deadLetters) {
        this.models = models;
        this.scoring = new RecordScoring(metrics, settings);
        this.delivery = delivery;
        this.catchUp = catchUp;
        this.results = results;
        this.deadLetters = deadLetters;
    }

    @Incoming("data")
    @Blocking
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> score(KafkaRecordBatch<byte[], byte[]> batch) throws InterruptedException {
        catchUp.await();
        // Batches are scored one after the other (so a swap is seen in offset order) but their writes overlap:
        // a batch is acknowledged when its writes are done, while the next ones are already being scored.
        inFlight.acquire();
        try {
            writeResults(batch).whenComplete((done, failure) -> {
                inFlight.release();
                if (failure == null) {
                    batch.ack();
                } else {
                    batch.nack(failure);
                }
            });
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            inFlight.release();
            batch.nack(e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Decodes, scores and sends; completes when every result and dead letter of the batch is written or given up. */
    private CompletableFuture<Void> writeResults(KafkaRecordBatch<byte[], byte[]> batch) {
        List<DataRecord<Void>> records = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<byte[], byte[]> m : batch.getRecords()) {
            records.add(new DataRecord<>(m.getKey(), m.getPayload(), RecordFormat.contentType(m.getHeaders()),
                    m.getTopic(), m.getPartition(), offset(m), null));
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>(records.size());
        for (Outcome<Void> o : scoring.score(records, models.registry())) {
            if (o instanceof Outcome.Result<Void> r) {
                writes.add(delivery.write(r.dataType(), r.source(), () -> send(results, r.key(), r.result(), r.headers())));
            } else if (o instanceof Outcome.DeadLetter<Void> d) {
                writes.add(delivery.write(d.dataType(), d.source(),
                        () -> send(deadLetters, d.key(), d.valueOrEmpty(), d.headers())));
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private static long offset(KafkaRecord<byte[], byte[]> m) {
        return m.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                .orElse(-1L);
    }

    /** Sends a message keyed as its input record was; completes when Kafka has it. */
    private static CompletableFuture<Void> send(Emitter<byte[]> channel, byte[] key, byte[] payload,
            Headers headers) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<byte[]> metadata =
                OutgoingKafkaRecordMetadata.<byte[]>builder().withKey(key);
        if (headers != null) {
            metadata.withHeaders(headers);
        }
        channel.send(Message.of(payload, Metadata.of(metadata.build()),
                () -> {
                    written.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    written.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return written;
    }
}
