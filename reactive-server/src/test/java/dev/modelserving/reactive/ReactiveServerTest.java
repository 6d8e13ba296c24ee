package dev.modelserving.reactive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelserving.broker.KafkaBrokerTestResource;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.proto.ServingResult;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** The server in-process against the in-process broker: scoring, REST, health, metrics and OpenAPI. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class ReactiveServerTest {

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void scoresRecordsAndReportsItThroughRestHealthAndMetrics() throws Exception {
        kafka.registerSerde(byte[].class, Serdes.ByteArray());
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>("models_models", "wine",
                ProjectModel.DECISION_TREE.descriptor("1").toByteArray())).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/models").then().statusCode(200)
                .body("wine.model.name", equalTo("wine-decision-tree")));

        List<ProducerRecord<String, byte[]>> records = ProjectData.wines().subList(0, 25).stream()
                .map(w -> new ProducerRecord<String, byte[]>("models_data", w.toRecord("wine").toByteArray())).toList();
        kafka.produce(String.class, byte[].class).fromRecords(records).awaitCompletion();
        var results = kafka.consume(String.class, byte[].class).fromTopics("models_results", 25)
                .awaitCompletion(Duration.ofSeconds(30));

        assertThat(results.getRecords()).hasSize(25);
        assertThat(results.getRecords()).allSatisfy(r ->
                assertThat(ServingResult.parseFrom(r.value()).getModelName()).isEqualTo("wine-decision-tree"));
        given().get("/state/wine").then().statusCode(200).body("invocations", equalTo(25))
                .body("name", equalTo("wine-decision-tree")).body("skipped", equalTo(0));
        given().get("/state/beer").then().statusCode(404);
        given().get("/state").then().statusCode(200).body("wine.modelSwaps", equalTo(1));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("wine-decision-tree"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("modelserving_records_scored_total{dataType=\"wine\"} 25.0"))
                .body(containsString("modelserving_records_in_total 25.0"))
                .body(containsString("modelserving_model_swaps_total{dataType=\"wine\"} 1.0"))
                .body(containsString("modelserving_scoring_latency_seconds_bucket"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/state/{dataType}"));
    }
}
