package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** How the health check reads the data consumer's group metrics (Kafka's consumer-coordinator metrics). */
class GroupContactTest {

    @Test
    void aConsumerIsInItsGroupFromItsJoinNotOnlyFromItsFirstHeartbeat() {
        assertThat(Serving.groupContactSecondsAgo(coordinator(-1, 0.2))).isEqualTo(0.2);
        assertThat(Serving.groupContactSecondsAgo(coordinator(3, 12))).isEqualTo(3);
        assertThat(Serving.groupContactSecondsAgo(coordinator(14, 40))).isEqualTo(14);
    }

    @Test
    void aConsumerThatHasNeitherJoinedNorBeatIsNotInItsGroupYet() {
        assertThat(Serving.groupContactSecondsAgo(coordinator(-1, -1))).isEqualTo(-1);
    }

    @Test
    void aConsumerWithoutCoordinatorMetricsHasNoContact() {
        Map<MetricName, Metric> other = new LinkedHashMap<>();
        put(other, "last-heartbeat-seconds-ago", "consumer-fetch-manager-metrics", 0);
        assertThat(Serving.groupContactSecondsAgo(other)).isInfinite();
        assertThat(Serving.groupContactSecondsAgo(Map.of())).isInfinite();
    }

    private static Map<MetricName, Metric> coordinator(double heartbeat, double rebalance) {
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        put(metrics, "last-heartbeat-seconds-ago", "consumer-coordinator-metrics", heartbeat);
        put(metrics, "last-rebalance-seconds-ago", "consumer-coordinator-metrics", rebalance);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", 0.0);
        return metrics;
    }

    private static void put(Map<MetricName, Metric> metrics, String name, String group, double value) {
        MetricName n = new MetricName(name, group, "", Map.of("client-id", "consumer-1"));
        metrics.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
