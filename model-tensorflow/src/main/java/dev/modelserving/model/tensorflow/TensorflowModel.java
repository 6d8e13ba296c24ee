package dev.modelserving.model.tensorflow;

import dev.modelserving.model.Model;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.ScoringException;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * A loaded TensorFlow graph that maps a {@code [n, 11]} float tensor of wine features to {@code [n, k]} floats:
 * one column is a regression value, more columns are per-class scores whose argmax is the label ("0".."k-1").
 * A batch is one session run; {@link Session} runs are thread-safe.
 */
final class TensorflowModel implements Model {

    private final Session session;
    private final String feed;
    private final String fetch;
    private final ModelInfo info;
    private final RunOptions options;
    private final AutoCloseable[] resources;

    /**
     * @param runTimeout a session run that takes longer is cancelled by TensorFlow (a graph that never finishes
     *     stops burning a core once its run is past it)
     * @param resources what {@link #close()} releases, in order (a session before its graph, or a SavedModel bundle)
     */
    TensorflowModel(Session session, String feed, String fetch, ModelInfo info, Duration runTimeout,
            AutoCloseable... resources) {
        this.session = session;
        this.feed = feed;
        this.fetch = fetch;
        this.info = info;
        this.options = RunOptions.newBuilder().setTimeoutInMs(runTimeout.toMillis()).build();
        this.resources = resources.clone();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Prediction score(WineRecord record) {
        return scoreBatch(List.of(record)).get(0);
    }

    @Override
    public List<Prediction> scoreBatch(List<WineRecord> records) {
        int n = records.size();
        if (n == 0) {
            return List.of();
        }
        float[] features = new float[n * WineFeatures.COUNT];
        for (int i = 0; i < n; i++) {
            double[] values = WineFeatures.values(records.get(i));
            for (int j = 0; j < values.length; j++) {
                features[i * WineFeatures.COUNT + j] = (float) values[j];
            }
        }
        try (TFloat32 input = TFloat32.tensorOf(Shape.of(n, WineFeatures.COUNT), DataBuffers.of(features, true, false));
                Result result = session.runner().feed(feed, input).fetch(fetch).setOptions(options).run()) {
            return predictions(result.get(0), n);
        } catch (ScoringException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ScoringException("TensorFlow failed to score " + n + " record(s): " + e.getMessage(), e);
        }
    }

    private List<Prediction> predictions(Tensor output, int n) {
        if (!(output instanceof TFloat32 floats)) {
            throw new ScoringException("output '" + fetch + "' is " + output.dataType() + ", expected float");
        }
        Shape shape = floats.shape();
        int columns = shape.numDimensions() == 1 ? 1 : shape.numDimensions() == 2 ? (int) shape.size(1) : -1;
        if (shape.numDimensions() < 1 || shape.size(0) != n || columns < 1) {
            throw new ScoringException("output '" + fetch + "' has shape " + shape + " for " + n
                    + " records, expected [" + n + ", k]");
        }
        float[] values = new float[n * columns];
        floats.copyTo(DataBuffers.of(values, false, false));
        List<Prediction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(prediction(values, i * columns, columns, i));
        }
        return out;
    }

    private Prediction prediction(float[] values, int offset, int columns, int row) {
        for (int c = 0; c < columns; c++) {
            if (!Float.isFinite(values[offset + c])) {
                throw new ScoringException("output '" + fetch + "' is " + values[offset + c] + " for record " + row
                        + " of the batch");
            }
        }
        if (columns == 1) {
            return Prediction.regression(values[offset]);
        }
        int best = 0;
        Map<String, Double> probabilities = new LinkedHashMap<>();
        for (int c = 0; c < columns; c++) {
            probabilities.put(Integer.toString(c), (double) values[offset + c]);
            if (values[offset + c] > values[offset + best]) {
                best = c;
            }
        }
        return Prediction.classification(Integer.toString(best), probabilities);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                // Closing the rest matters more than one failure: each resource holds native memory.
            }
        }
    }
}
