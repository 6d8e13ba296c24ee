package dev.modelserving.model;

import com.google.protobuf.ByteString;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Test models and descriptors from {@code src/test/resources}. */
public final class Fixtures {

    /** quality = 1.5 + 0.4 * alcohol - 2 * volatile_acidity */
    public static final String ALCOHOL_LINEAR = "pmml/fixtures/alcohol-linear.pmml";

    private Fixtures() {}

    public static double alcoholLinear(double alcohol, double volatileAcidity) {
        return 1.5 + 0.4 * alcohol - 2 * volatileAcidity;
    }

    public static byte[] resource(String path) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelDescriptor pmml(String name, String version, byte[] bytes) {
        return ModelDescriptor.newBuilder().setName(name).setVersion(version).setDescription(name + " for tests")
                .setDataType("wine").setModeltype(ModelType.PMML).setData(ByteString.copyFrom(bytes)).build();
    }

    public static ModelDescriptor pmmlResource(String name, String version, String path) {
        return pmml(name, version, resource(path));
    }

    /** The same linear model with other coefficients, so results tell which model scored. */
    public static byte[] linearWithIntercept(double intercept) {
        String text = new String(resource(ALCOHOL_LINEAR), java.nio.charset.StandardCharsets.UTF_8);
        return text.replace("intercept=\"1.5\"", "intercept=\"" + intercept + "\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** n plausible wines of dataType "wine", a little different from each other (volatile acidity and alcohol). */
    public static List<Features> wines(int n) {
        List<Features> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(WineFeatures.wine("wine", 7.4, 0.7 - i * 0.01, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56,
                    9.4 + i * 0.1));
        }
        return out;
    }
}
