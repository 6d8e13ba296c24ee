package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelserving.model.FeatureNames;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the encoder writes in each format, the decoder reads back as the same named values. */
class RecordEncoderTest {

    @Test
    void everyFormatReadsBackAsTheValuesItWasGiven() throws Exception {
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("plan", "gold");
        customer.put("tenure", 12);
        customer.put("monthly charges", 70.5);
        customer.put("paperless", true);
        customer.put("region", null);
        for (RecordFormat format : new RecordFormat[] {RecordFormat.FEATURES, RecordFormat.JSON}) {
            Features r = RecordDecoder.decode(RecordEncoder.encode(format, "churn", customer), format);
            assertThat(r.dataType()).isEqualTo("churn");
            assertThat(r.value("plan")).isEqualTo("gold");
            assertThat(r.value("tenure")).isEqualTo(12.0);
            assertThat(r.value("monthlycharges")).isEqualTo(70.5);
            assertThat(r.value("paperless")).isEqualTo(true);
            assertThat(r.value("region")).isNull();
        }
        Map<String, Object> wine = new LinkedHashMap<>();
        double[] values = {7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4};
        for (int i = 0; i < values.length; i++) {
            wine.put(WineFeatures.UCI_NAMES.get(i), values[i]);
        }
        wine.put("quality", 5);
        Features r = RecordDecoder.decode(RecordEncoder.encode(RecordFormat.WINE, "wine", wine), RecordFormat.WINE);
        for (int i = 0; i < values.length; i++) {
            assertThat(r.value(FeatureNames.key(WineFeatures.UCI_NAMES.get(i)))).isEqualTo(values[i]);
        }
        wine.remove("alcohol");
        assertThatThrownBy(() -> RecordEncoder.encode(RecordFormat.WINE, "wine", wine))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a WineRecord needs 'alcohol'");
        assertThatThrownBy(() -> RecordEncoder.encode(RecordFormat.JSON, "x", Map.of("when", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature 'when' is a Object");
    }
}
