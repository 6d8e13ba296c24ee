package dev.modelserving.model.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TensorflowRuntimeTest {

    @Test
    void nativeCacheDefaultsToTheUserCacheAndKeepsAConfiguredOne() {
        String configured = System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
        try {
            System.clearProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
            TensorflowRuntime.configureNativeCache();
            assertThat(System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY)).isEqualTo(
                    Path.of(System.getProperty("user.home"), ".cache", "model-serving", "javacpp").toString());

            System.setProperty(TensorflowRuntime.CACHE_DIR_PROPERTY, "/somewhere/else");
            TensorflowRuntime.configureNativeCache();
            assertThat(System.getProperty(TensorflowRuntime.CACHE_DIR_PROPERTY)).isEqualTo("/somewhere/else");
        } finally {
            if (configured == null) {
                System.clearProperty(TensorflowRuntime.CACHE_DIR_PROPERTY);
            } else {
                System.setProperty(TensorflowRuntime.CACHE_DIR_PROPERTY, configured);
            }
        }
    }
}
