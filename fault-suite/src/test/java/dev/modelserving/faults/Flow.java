package dev.modelserving.faults;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.TestKafka.Position;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Wine records flowing at a steady rate into every server's data topic, round-robin over its partitions, as an
 * outside producer would send them. The producer rides out a broker outage of up to ten minutes (its sends wait
 * and are retried); each record the broker acknowledged is added to its server's {@code sent}.
 */
final class Flow implements AutoCloseable {

    private static final List<WineRow> WINES = ProjectData.wines();
    private static final long TICK_MILLIS = 10;

    private final KafkaProducer<String, byte[]> producer;
    private final List<Fleet.Server> servers;
    private final int perTick;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flow");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();

    /** {@code perSecond} records a second to each server (a multiple of 100). */
    Flow(String bootstrap, List<Fleet.Server> servers, int perSecond) {
        this.servers = servers;
        this.perTick = perSecond / (int) (1000 / TICK_MILLIS);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
    }

    void start() {
        ticks.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (int i = 0; i < perTick; i++) {
            int n = next.getAndIncrement();
            byte[] value = WINES.get(n % WINES.size()).toRecord(ProjectData.DATA_TYPE).toByteArray();
            for (Fleet.Server s : servers) {
                producer.send(new ProducerRecord<>(s.topics().data(), n % TestKafka.DATA_PARTITIONS, null, value),
                        (metadata, error) -> {
                            if (error == null) {
                                s.sent.add(Position.of(metadata));
                            } else {
                                failures.add(error);
                            }
                        });
            }
        }
    }

    /** Stops sending and waits until every record sent is acknowledged (or has failed). */
    void stop() throws InterruptedException {
        ticks.shutdown();
        ticks.awaitTermination(1, TimeUnit.MINUTES);
        producer.flush();
    }

    /** Sends that the broker never acknowledged (the producer gave up on them): none, or the case is void. */
    List<Exception> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        producer.close();
    }
}
