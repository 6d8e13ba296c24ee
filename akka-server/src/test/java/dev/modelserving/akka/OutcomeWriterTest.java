package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.kafka.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batch writer's bookkeeping against Kafka's mock producer, which completes each send when the test says so: a
 * real broker cannot hold an acknowledgement back, so "the batch completes only once its last write does" needs it.
 * The writer against a real broker: both Akka behaviour suites, the fault suite (broker outage, poison pill) and
 * {@code SecuredClusterIT}.
 */
class OutcomeWriterTest {

    private static final Topics TOPICS = Topics.withPrefix("w_");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final Delivery delivery = new Delivery(new ServingMetrics(new SimpleMeterRegistry()));
    private final OutcomeWriter writer = new OutcomeWriter(() -> producer, Duration.ofSeconds(1), delivery,
            TOPICS);

    @AfterEach
    void close() {
        writer.close(ForkJoinPool.commonPool()).toCompletableFuture().join();
        delivery.close();
    }

    @Test
    void aBatchIsWrittenWhenEachOfItsResultsAndDeadLettersIsAndASkippedRecordWritesNothing() {
        CompletableFuture<Void> written = writer.write(List.of(result(0), new Outcome.Skipped<>(1), deadLetter(2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent.get(0).topic()).isEqualTo(TOPICS.results());
        assertThat(sent.get(0).key()).isEqualTo(bytes("key-0"));
        assertThat(sent.get(0).headers().lastHeader(RecordFormat.HEADER)).isNotNull();
        assertThat(sent.get(1).topic()).isEqualTo(TOPICS.deadLetters());
        assertThat(sent.get(1).headers().lastHeader(Provenance.ERROR_HEADER).value()).isEqualTo(bytes("bad"));

        assertThat(producer.completeNext()).isTrue();
        assertThat(written).isNotDone();
        assertThat(producer.completeNext()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(written::isDone);
        assertThat(written).isCompleted();
    }

    @Test
    void batchesAreSentInTheOrderTheyWereGiven() {
        CompletableFuture<Void> first = writer.write(List.of(result(0), result(1)));
        CompletableFuture<Void> second = writer.write(List.of(result(2)));
        CompletableFuture<Void> none = writer.write(List.of(new Outcome.Skipped<>(3)));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 3);
        assertThat(producer.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("key-0", "key-1", "key-2");
        await().atMost(Duration.ofSeconds(10)).until(none::isDone); // nothing to write: written at once
        while (producer.completeNext()) {
            // all sent
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() && second.isDone());
    }

    @Test
    void aMessageKafkaRefusesThreeTimesIsGivenUpAndItsBatchStillCompletes() {
        CompletableFuture<Void> written = writer.write(List.of(result(0), result(1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
        assertThat(producer.completeNext()).isTrue();
        for (int attempt = 1; attempt <= Delivery.MAX_ATTEMPTS; attempt++) {
            int sends = 1 + attempt;
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == sends);
            assertThat(written).isNotDone();
            assertThat(producer.errorNext(new RecordTooLargeException("too large"))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(written::isDone);
        assertThat(written).isCompleted();
        assertThat(delivery.undeliverable()).isEqualTo(1);
    }

    @Test
    void aProducerThatCannotBeMadeFailsThatAttemptOnlyAndTheNextMakesIt() {
        AtomicInteger made = new AtomicInteger();
        OutcomeWriter later = new OutcomeWriter(() -> {
            if (made.incrementAndGet() == 1) {
                throw new KafkaException("Failed to construct kafka producer");
            }
            return producer;
        }, Duration.ofSeconds(1), delivery, TOPICS);
        try {
            CompletableFuture<Void> written = later.write(List.of(result(0)));
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1); // the second attempt
            assertThat(made).hasValue(2);
            assertThat(producer.completeNext()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(written::isDone);
            assertThat(delivery.undeliverable()).isZero();
        } finally {
            later.close(ForkJoinPool.commonPool()).toCompletableFuture().join();
        }
    }

    @Test
    void ofEachRunOfEqualKeysTheLastIsKept() {
        List<String> items = List.of("a1", "a2", "b1", "b2", "b3", "a3", "c1");
        assertThat(KafkaIO.lastOfEachRun(items, s -> s.charAt(0))).containsExactly("a2", "b3", "a3", "c1");
        assertThat(KafkaIO.lastOfEachRun(List.<String>of(), s -> s.charAt(0))).isEmpty();
        assertThat(KafkaIO.lastOfEachRun(List.of("x1"), s -> s.charAt(0))).containsExactly("x1");
    }

    private static Outcome<Integer> result(int i) {
        return new Outcome.Result<>(bytes("key-" + i), bytes("result-" + i), ResultFormat.PROTOBUF, "wine",
                "models_data[0]@" + i, i);
    }

    private static Outcome<Integer> deadLetter(int i) {
        return new Outcome.DeadLetter<>(bytes("key-" + i), bytes("value-" + i), "bad", null, "models_data[0]@" + i, i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
