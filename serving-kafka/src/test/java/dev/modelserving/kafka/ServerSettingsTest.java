package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model-server.* settings as the Akka server reads them (the Quarkus servers read the same mapping). */
class ServerSettingsTest {

    @AfterEach
    void clear() {
        System.clearProperty("model-server.topics.results");
    }

    @Test
    void defaultsAreTheOnesEveryServerDocuments() {
        ServerSettings s = ServerSettings.load(Map.of());

        assertThat(s.topicNames()).isEqualTo(Topics.DEFAULT);
        assertThat(s.maxModelBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.maxMessageBytes()).as("a model of the cap and its descriptor").isEqualTo(Topics.MAX_MESSAGE_BYTES);
        assertThat(s.modelRoots()).isEmpty();
        assertThat(s.workDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"),
                "model-serving-" + System.getProperty("user.name")));
        assertThat(s.maxDataTypes()).isEqualTo(1000);
        assertThat(s.modelsCatchUp()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.loadingPolicy().maxModelBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void aCommandLineOverridesASystemPropertyWhichOverridesTheDefault() {
        System.setProperty("model-server.topics.results", "from-system");
        ServerSettings s = ServerSettings.load(Map.of("model-server.topics.data", "from-cli",
                "model-server.model-roots", "/models/a,/models/b", "model-server.models-catch-up", "5s"));

        assertThat(s.topics().data()).isEqualTo("from-cli");
        assertThat(s.topics().results()).isEqualTo("from-system");
        assertThat(s.topics().models()).isEqualTo(Topics.DEFAULT_MODELS);
        assertThat(s.modelRoots()).contains(List.of(Path.of("/models/a"), Path.of("/models/b")));
        assertThat(s.modelsCatchUp()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aValueOfTheWrongKindIsRefusedWithItsName() {
        assertThatThrownBy(() -> ServerSettings.load(Map.of("model-server.max-model-bytes", "lots")))
                .hasMessageContaining("model-server.max-model-bytes");
    }
}
