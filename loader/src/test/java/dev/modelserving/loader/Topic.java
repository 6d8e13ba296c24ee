package dev.modelserving.loader;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Test helpers for topics. */
final class Topic {

    private Topic() {}

    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        return TopicContents.readAll(bootstrap, topic);
    }

    static boolean exists(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
        }
    }
}
