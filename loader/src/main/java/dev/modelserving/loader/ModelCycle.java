package dev.modelserving.loader;

import dev.modelserving.proto.ModelDescriptor;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes the models in turn, each keyed by its dataType, one every interval (the first at once). */
final class ModelCycle implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final List<ModelDescriptor> models;
    private final Duration interval;
    private final int max;
    private final Progress progress;
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loader-models");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> task;

    ModelCycle(KafkaProducer<String, byte[]> producer, String topic, List<ModelDescriptor> models, Duration interval,
            int max, Progress progress) {
        this.producer = producer;
        this.topic = topic;
        this.models = models;
        this.interval = interval;
        this.max = max;
        this.progress = progress;
    }

    void start() {
        task = timer.scheduleAtFixedRate(this::publishNext, 0, Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void publishNext() {
        int n = next.getAndIncrement();
        if (max > 0 && n >= max) {
            task.cancel(false);
            return;
        }
        ModelDescriptor d = models.get(n % models.size()).toBuilder().setPublishedAtMs(System.currentTimeMillis())
                .build();
        try {
            producer.send(new ProducerRecord<>(topic, d.getDataType(), d.toByteArray())).get(30, TimeUnit.SECONDS);
            progress.modelSent("'" + d.getName() + "' v" + d.getVersion() + " at " + LocalTime.now()
                    .withNano(0));
        } catch (Exception e) {
            progress.recordFailed(new IllegalStateException("model '" + d.getName() + "' not published: " + e, e));
        }
    }

    /** With --max-models, waits until they are all out (or the run stops). */
    void awaitAll(Progress run) throws InterruptedException {
        while (max > 0 && run.models() < max && !run.stopping() && run.failed() == 0) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
