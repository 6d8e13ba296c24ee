package dev.modelserving.reactive;

import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.ServingMetrics;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Scores the data topic in batches through the shared {@link RecordScoring}: one model call per dataType per
 * batch. The {@link OutcomeWriter}'s producer writes the results to the results topic, keyed as their input record
 * was; records that cannot be decoded, or that the model could not score, go to the dead-letter topic as they came,
 * with the {@link Provenance} headers. A batch is acknowledged (its offsets committed) only when every result and
 * dead letter of it is written, or given up by the {@link Delivery} rule (a write Kafka will never take):
 * at-least-once, and one bad record does not stop the records behind it.
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
    private final OutcomeWriter writer;

    Scorer(ModelHolder models, ServingMetrics metrics, ServerSettings settings, Delivery delivery,
            StartupCatchUp catchUp, OutcomeWriter writer) {
        this.models = models;
        this.scoring = new RecordScoring(metrics, settings).withLifecycle(models.lifecycle());
        this.delivery = delivery;
        this.catchUp = catchUp;
        this.writer = writer;
    }

    @Incoming("data")
    @Blocking
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> score(KafkaRecordBatch<byte[], byte[]> batch) throws InterruptedException {
        catchUp.await();
        // Batches are scored one after the other (so a swap is seen in offset order) but their writes overlap:
        // a batch is acknowledged when its writes are done, while the next ones are already being scored.
        while (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
            if (writer.isClosed()) {
                // stopping, and the batches in flight will not complete: this one is neither written nor
                // acknowledged, and is read again on the next start
                return CompletableFuture.completedFuture(null);
            }
        }
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
        // The records as the consumer polled them: no per-record SmallRye message or metadata look-up.
        @SuppressWarnings("unchecked")
        ConsumerRecords<byte[], byte[]> polled = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .orElseThrow(() -> new IllegalStateException("a batch without its consumer records"))
                .getRecords();
        List<DataRecord<Void>> records = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            records.add(new DataRecord<>(r.key(), r.value(), RecordFormat.contentType(r.headers()), r.topic(),
                    r.partition(), r.offset(), null));
        }
        return delivery.writeAll(scoring.score(records, models.registry()), writer.topics(), writer::send);
    }
}
