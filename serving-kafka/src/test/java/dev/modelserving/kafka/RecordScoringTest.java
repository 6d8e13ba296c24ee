package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.proto.FeatureRecord;
import dev.modelserving.proto.FeatureValue;
import dev.modelserving.model.FeatureNames;
import com.google.protobuf.util.JsonFormat;
import dev.modelserving.proto.ServingResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The step every server takes, on a real PMML model: decode, score, outcome, counted. */
class RecordScoringTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RecordScoring scoring = new RecordScoring(new ServingMetrics(meters), RecordFormat.WINE,
            ResultFormat.PROTOBUF);
    private final ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        registry.close();
    }

    private static DataRecord<String> record(String key, byte[] value, long offset) {
        return new DataRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, "models_data", 2,
                offset, "pass-" + offset);
    }

    private static final ModelDescriptor LINEAR = ProjectModel.LINEAR_REGRESSION.descriptor("1");

    private static byte[] wine(String dataType, double alcohol) {
        return WineFeatures.record(dataType, 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, alcohol)
                .toByteArray();
    }

    /** What the model library itself says of a wine. */
    private static double libraryValue(double alcohol) throws Exception {
        try (Model model = new ModelFactory(LoadingPolicy.defaults()).load(LINEAR)) {
            return model.score(WineFeatures.of(WineRecord.parseFrom(wine("wine", alcohol)))).value();
        }
    }

    @Test
    void aBatchBecomesResultsDeadLettersAndSkipsInItsOrderWithItsKeys() throws Exception {
        registry.offer(LINEAR);
        List<DataRecord<String>> batch = List.of(
                record("k-1", wine("wine", 9.4), 10),
                record("k-2", "garbage".getBytes(StandardCharsets.UTF_8), 11),
                record(null, wine("beer", 9.4), 12),
                record(null, null, 13),
                record("k-5", wine("wine", 12.0), 14));

        List<Outcome<String>> out = scoring.score(batch, registry);

        assertThat(out).extracting(Outcome::passThrough).containsExactly("pass-10", "pass-11", "pass-12", "pass-13",
                "pass-14");
        Outcome.Result<String> first = (Outcome.Result<String>) out.get(0);
        assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("k-1");
        ServingResult r = ServingResult.parseFrom(first.result());
        assertThat(r.getModelName()).isEqualTo(LINEAR.getName());
        assertThat(r.getValue()).isCloseTo(libraryValue(9.4), within(1e-9));
        assertThat(r.getSourceTopic()).isEqualTo("models_data");
        assertThat(r.getSourcePartition()).isEqualTo(2);
        assertThat(r.getSourceOffset()).isEqualTo(10);

        Outcome.DeadLetter<String> garbage = (Outcome.DeadLetter<String>) out.get(1);
        assertThat(new String(garbage.key(), StandardCharsets.UTF_8)).isEqualTo("k-2");
        assertThat(garbage.error()).startsWith("not a WineRecord: ");
        assertThat(garbage.source()).isEqualTo("models_data[2]@11");
        assertThat(new String(garbage.headers().lastHeader(Provenance.ERROR_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(garbage.error());
        assertThat(new String(garbage.headers().lastHeader(Provenance.SOURCE_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("models_data[2]@11");
        assertThat(Provenance.isDeadLetter(garbage.headers())).isTrue();

        assertThat(out.get(2)).isInstanceOf(Outcome.Skipped.class);
        Outcome.DeadLetter<String> empty = (Outcome.DeadLetter<String>) out.get(3);
        assertThat(empty.error()).isEqualTo("not a WineRecord: the message has no value");
        assertThat(empty.key()).isNull();
        assertThat(empty.valueOrEmpty()).isEmpty();
        assertThat(ServingResult.parseFrom(((Outcome.Result<String>) out.get(4)).result()).getValue())
                .isCloseTo(libraryValue(12.0), within(1e-9));

        assertThat(meters.counter("modelserving.records.in").count()).isEqualTo(5);
        assertThat(meters.counter("modelserving.records.dead_lettered").count()).isEqualTo(2);
        assertThat(meters.counter("modelserving.records.scored", "dataType", "wine").count()).isEqualTo(2);
        assertThat(meters.counter("modelserving.records.skipped", "dataType", ServingMetrics.OTHER).count())
                .as("beer has had no model: its records are counted as another dataType's").isEqualTo(1);
        assertThat(registry.stats("wine").orElseThrow().invocations()).isEqualTo(2);
    }

    @Test
    void scoringsMustMatchTheDecodedRecords() {
        List<RecordScoring.Decoded<String>> decoded = List.of(scoring.decode(record(null, wine("wine", 9), 1)));

        assertThatThrownBy(() -> scoring.outcomes(decoded, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("0 scorings for 1 decoded records");
    }

    private static DataRecord<String> typed(byte[] value, String contentType, long offset) {
        return new DataRecord<>(null, value, contentType, "models_data", 0, offset, "pass-" + offset);
    }

    private static final String WINE_FEATURES = "\"fixed acidity\":7.4,\"volatile_acidity\":0.7,\"citricAcid\":0,"
            + "\"residual sugar\":1.9,\"chlorides\":0.076,\"free sulfur dioxide\":11,\"total sulfur dioxide\":34,"
            + "\"density\":0.9978,\"PH\":3.51,\"sulphates\":0.56,\"alcohol\":";

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theContentTypeHeaderElseTheDefaultFormatSaysHowARecordIsRead() throws Exception {
        registry.offer(LINEAR);
        RecordScoring jsonByDefault = new RecordScoring(new ServingMetrics(meters), RecordFormat.JSON,
                ResultFormat.JSON);
        FeatureRecord.Builder features = FeatureRecord.newBuilder().setDataType("wine");
        var strong = WineFeatures.of(WineRecord.parseFrom(wine("wine", 12.0)));
        WineFeatures.UCI_NAMES.forEach(name -> features.putFeatures(name, FeatureValue.newBuilder()
                .setNumber((Double) strong.value(FeatureNames.key(name))).build()));
        List<DataRecord<String>> batch = List.of(
                typed(json("{\"dataType\":\"wine\",\"features\":{" + WINE_FEATURES + "9.4}}"), null, 1),
                typed(wine("wine", 9.4), "application/vnd.modelserving.wine-record+protobuf", 2),
                typed(features.build().toByteArray(), "Application/Vnd.Modelserving.Feature-Record+Protobuf; v=1", 3),
                typed(json("{\"dataType\":\"wine\",\"features\":{\"alcohol\":9.4}}"), "json", 4),
                typed(json("{\"dataType\":\"wine\",\"features\":{\"alcohol\":[9.4]}}"), null, 5),
                typed(json("[1, 2]"), "application/json", 6),
                typed(wine("wine", 9.4), "text/csv", 7));

        List<Outcome<String>> out = jsonByDefault.score(batch, registry);

        for (int i : new int[] {0, 1, 2}) {
            Outcome.Result<String> r = (Outcome.Result<String>) out.get(i);
            assertThat(new String(r.headers().lastHeader(RecordFormat.HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("application/json");
            ServingResult.Builder parsed = ServingResult.newBuilder();
            JsonFormat.parser().merge(new String(r.result(), StandardCharsets.UTF_8), parsed);
            assertThat(parsed.getValue()).isCloseTo(libraryValue(i == 2 ? 12.0 : 9.4), within(1e-9));
            assertThat(parsed.getModelName()).isEqualTo(LINEAR.getName());
            assertThat(parsed.getSourceOffset()).isEqualTo(i + 1);
        }
        assertThat(((Outcome.DeadLetter<String>) out.get(3)).error())
                .startsWith("model ").contains("the record lacks the model's inputs [fixed_acidity, volatile_acidity");
        assertThat(((Outcome.DeadLetter<String>) out.get(3)).dataType()).isEqualTo("wine");
        assertThat(new String(((Outcome.DeadLetter<String>) out.get(3)).headers().lastHeader(RecordFormat.HEADER)
                .value(), StandardCharsets.UTF_8)).as("a dead letter keeps its record's content type").isEqualTo("json");
        assertThat(((Outcome.DeadLetter<String>) out.get(4)).headers().lastHeader(RecordFormat.HEADER)).isNull();
        assertThat(((Outcome.DeadLetter<String>) out.get(4)).error())
                .isEqualTo("not a JSON record: feature 'alcohol' is an array; a value is a number, a string or a boolean");
        assertThat(((Outcome.DeadLetter<String>) out.get(5)).error())
                .isEqualTo("not a JSON record: expected an object with \"dataType\" and \"features\", got array");
        assertThat(((Outcome.DeadLetter<String>) out.get(6)).error())
                .startsWith("unknown content-type 'text/csv' (known: [application/vnd.modelserving.wine-record+protobuf");
    }

    @Test
    void aRecordOfAnotherFormatOrWithoutADataTypeIsADeadLetterNotAnEmptyRecord() {
        RecordScoring wineByDefault = new RecordScoring(new ServingMetrics(meters), RecordFormat.WINE,
                ResultFormat.PROTOBUF);
        RecordScoring featuresByDefault = new RecordScoring(new ServingMetrics(meters), RecordFormat.FEATURES,
                ResultFormat.PROTOBUF);
        byte[] features = FeatureRecord.newBuilder().setDataType("wine")
                .putFeatures("alcohol", FeatureValue.newBuilder().setNumber(9.4).build()).build().toByteArray();

        assertThat(wineByDefault.decode(typed(features, null, 1)).deadLetter().error())
                .isEqualTo("not a WineRecord: it holds fields a WineRecord does not have (numbers [1, 2]); a record"
                        + " of another format needs its content-type header");
        assertThat(featuresByDefault.decode(typed(wine("wine", 9.4), null, 2)).deadLetter().error())
                .startsWith("not a FeatureRecord: ");
        assertThat(wineByDefault.decode(typed(wine("", 9.4), null, 3)).deadLetter().error())
                .isEqualTo("not a WineRecord: it has no dataType");
        assertThat(wineByDefault.decode(typed(json("{\"datatype\":\"wine\",\"features\":{}}"), "json", 4))
                .deadLetter().error()).isEqualTo("not a JSON record: it has no dataType");
        String longType = "x".repeat(5000);
        assertThat(wineByDefault.decode(typed(wine("wine", 9.4), longType, 5)).deadLetter().error())
                .hasSizeLessThan(400).contains("x".repeat(100) + "...'");
        assertThat(RecordFormat.ofContentType("  Application/JSON ;charset=utf-8")).contains(RecordFormat.JSON);
        assertThat(RecordFormat.ofContentType("application/jsonx")).isEmpty();
        assertThat(RecordFormat.ofContentType("FEATURES")).contains(RecordFormat.FEATURES);
    }

    @Test
    void jsonAndFeatureRecordsThatAreNotRecordsSayWhy() {
        RecordScoring features = new RecordScoring(new ServingMetrics(meters), RecordFormat.FEATURES,
                ResultFormat.PROTOBUF);
        assertThat(features.decode(typed(json("not protobuf at all"), null, 1)).deadLetter().error())
                .startsWith("not a FeatureRecord: ");
        assertThat(features.decode(typed(json("{\"dataType\": \"x\", \"features\": {\"a\": 1,"), "json", 2))
                .deadLetter().error()).startsWith("not JSON: ");
        assertThat(features.decode(typed(json("{\"features\": {\"Plan\": \"gold\", \"plan\": \"basic\"}}"), "json", 3))
                .deadLetter().error()).isEqualTo("not a JSON record: features 'Plan' and 'plan' are the same feature"
                        + " (names match ignoring case, spaces and punctuation)");
        var ok = features.decode(typed(json("{\"dataType\":\"churn\",\"features\":{\"tenure\":12,"
                + "\"plan\":\"gold\",\"paperless\":true,\"region\":null}}"), "application/json; charset=utf-8", 4));
        assertThat(ok.isDeadLetter()).isFalse();
        assertThat(ok.record().dataType()).isEqualTo("churn");
        assertThat(ok.record().names()).containsExactly("tenure", "plan", "paperless");
        assertThat(ok.record().value("tenure")).isEqualTo(12.0);
        assertThat(ok.record().value("plan")).isEqualTo("gold");
        assertThat(ok.record().value("paperless")).isEqualTo(true);
        assertThat(ok.record().value("region")).isNull();
    }
}
