package dev.modelserving.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The start-up order every server keeps: records are scored only once the models topic has been read to the end
 * it had when the server started, so the records that arrived while a server was down are scored by the model it
 * served before, not skipped for want of one. The server tells it where the topic ended ({@link #start}) and each
 * models message it has applied ({@link #seen}), in either order; it says when the catch-up is done.
 */
public final class ModelsCatchUp {

    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    /** Partition to the end offset still to be reached; known once {@link #start} has run. */
    private final Map<Integer, Long> remaining = new ConcurrentHashMap<>();
    /** Partition to the offset after the last models message applied (messages may come before the start). */
    private final Map<Integer, Long> applied = new ConcurrentHashMap<>();
    private volatile boolean started;

    /** Where a topic's partitions begin and end now. */
    public record Ends(Map<Integer, Long> earliest, Map<Integer, Long> end) {}

    /**
     * Where the topic begins and ends now.
     *
     * @throws IllegalStateException when the topic does not exist
     */
    public static Ends ends(Admin admin, String topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        TopicDescription description;
        try {
            description = admin.describeTopics(Set.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("the models topic " + topic + " does not exist", e);
            }
            throw e;
        }
        Set<TopicPartition> partitions = description.partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
        return new Ends(offsets(admin, partitions, OffsetSpec.earliest(), timeout),
                offsets(admin, partitions, OffsetSpec.latest(), timeout));
    }

    private static Map<Integer, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec,
            Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, ListOffsetsResultInfo> answer = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> spec))).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<Integer, Long> out = new HashMap<>();
        answer.forEach((p, info) -> out.put(p.partition(), info.offset()));
        return out;
    }

    /**
     * Where the topic ended when the server started, and the offset it reads each partition from (absent: the
     * beginning); a partition with nothing to read from there is caught up at once.
     */
    public void start(Ends ends, Map<Integer, Long> from) {
        ends.end().forEach((partition, end) -> {
            long begin = Math.max(ends.earliest().getOrDefault(partition, 0L), from.getOrDefault(partition, 0L));
            if (end > begin) {
                remaining.put(partition, end);
            }
        });
        started = true;
        applied.forEach(this::reached); // messages applied before the ends were known
        completeIfDone();
    }

    /** Nothing to wait for (the server gives up waiting, or has no models topic to read). */
    public void giveUp() {
        started = true;
        remaining.clear();
        caughtUp.complete(null);
    }

    /**
     * A models message at this position was applied.
     *
     * @return whether this message completed the catch-up
     */
    public boolean seen(int partition, long offset) {
        applied.merge(partition, offset + 1, Math::max);
        reached(partition, offset + 1);
        return completeIfDone();
    }

    private void reached(int partition, long next) {
        remaining.computeIfPresent(partition, (p, end) -> next >= end ? null : end);
    }

    private synchronized boolean completeIfDone() {
        return started && remaining.isEmpty() && caughtUp.complete(null);
    }

    public boolean isCaughtUp() {
        return caughtUp.isDone();
    }

    /**
     * Blocks until the catch-up is done, at most {@code max}; after that the server scores with what it has.
     *
     * @return whether the models were read in time
     */
    public boolean await(Duration max) throws InterruptedException {
        try {
            caughtUp.get(max.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            giveUp();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
