package dev.modelserving.kafka;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;

/**
 * Outcomes larger than their topic takes ({@code max.message.bytes}, asked of the broker) are given up by the
 * {@link Delivery} rule before they are sent. An engine whose writes are transactional needs it: under exactly-once a
 * message the broker refuses aborts the whole transaction, and the records are read, scored and refused again.
 * A topic's limit is asked when first needed and again every 5 minutes (it can be changed while the server runs).
 * When it cannot be asked (the broker not reachable) the last limit known holds, or with none the outcome is sent
 * unchecked, and it is asked again at most once a second per topic.
 */
public final class SizeCheck {

    private static final System.Logger LOG = System.getLogger(SizeCheck.class.getName());
    /** A record batch's header and the record's own fields, over its key, value and headers. */
    static final int OVERHEAD = 128;
    private static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A topic's limit (null: not known) and when to ask for it again. */
    private record Limit(Long bytes, long askAgainAt) {}

    private final Map<String, Object> adminConfig;
    private final Topics topics;
    private final Delivery delivery;
    private final Map<String, Limit> limits = new ConcurrentHashMap<>();

    public SizeCheck(Map<String, Object> adminConfig, Topics topics, Delivery delivery) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.topics = topics;
        this.delivery = delivery;
    }

    /**
     * Whether the outcome fits its topic; one that does not is given up (logged, counted, shown) and must not be
     * sent.
     */
    public boolean fits(Outcome<?> o) {
        String topic;
        int bytes;
        if (o instanceof Outcome.Result<?> r) {
            topic = topics.results();
            bytes = size(r.key(), r.result(), new Header[0]);
        } else if (o instanceof Outcome.DeadLetter<?> d) {
            topic = topics.deadLetters();
            bytes = size(d.key(), d.valueOrEmpty(), d.headers().toArray());
        } else {
            return true;
        }
        Long limit = limit(topic);
        if (limit == null || bytes <= limit) {
            return true;
        }
        String dataType = o instanceof Outcome.Result<?> r ? r.dataType() : ((Outcome.DeadLetter<?>) o).dataType();
        String source = o instanceof Outcome.Result<?> r ? r.source() : ((Outcome.DeadLetter<?>) o).source();
        delivery.givenUp(dataType, source, "its outcome would be refused", new RecordTooLargeException(
                "its outcome of about " + bytes + " bytes is larger than " + topic + " takes (max.message.bytes "
                        + limit + ")"));
        return false;
    }

    static int size(byte[] key, byte[] value, Header[] headers) {
        int n = OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }

    private Long limit(String topic) {
        Limit known = limits.get(topic);
        long now = System.nanoTime();
        if (known != null && now - known.askAgainAt() < 0) {
            return known.bytes();
        }
        Long bytes = ask(topic);
        if (bytes == null) {
            Long last = known == null ? null : known.bytes();
            limits.put(topic, new Limit(last, now + RETRY_NANOS));
            return last;
        }
        limits.put(topic, new Limit(bytes, now + REFRESH_NANOS));
        return bytes;
    }

    /** A topic's {@code max.message.bytes} as the broker has it (its own default when the topic sets none). */
    public static long maxMessageBytes(Admin admin, String topic) throws ExecutionException, InterruptedException,
            TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(5, TimeUnit.SECONDS).get(resource);
        return Long.parseLong(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
    }

    /** About how many bytes a message with this key and value takes in a record batch. */
    public static int messageBytes(byte[] key, byte[] value) {
        return size(key, value, new Header[0]);
    }

    private Long ask(String topic) {
        try (Admin admin = Admin.create(adminConfig)) {
            return maxMessageBytes(admin, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot read the message size limit of " + topic + " (" + e
                    + "); outcomes are sent unchecked until it can be read");
            return null;
        }
    }
}
