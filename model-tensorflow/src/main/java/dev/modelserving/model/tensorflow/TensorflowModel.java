package dev.modelserving.model.tensorflow;

import dev.modelserving.model.Features;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.ScoringException;
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
 * A loaded TensorFlow graph that maps a {@code [n, inputs]} float tensor to {@code [n, k]} floats: one column is a
 * regression value, more columns are per-class scores whose argmax is the label ("0".."k-1"). Column j of a
 * record's row is its value of input j (a number; a boolean is 1 or 0); a record that lacks an input, or gives text
 * for one, cannot be scored. A batch is one session run; {@link Session} runs are thread-safe.
 */
final class TensorflowModel implements Model {

    private final Session session;
    private final String feed;
    private final String fetch;
    private final List<ModelInput> inputs;
    private final String[] keys;
    private final ModelInfo info;
    private final RunOptions options;
    private final AutoCloseable[] resources;

    /**
     * @param runTimeout a session run that takes longer is cancelled by TensorFlow (a graph that never finishes
     *     stops burning a core once its run is past it)
     * @param resources what {@link #close()} releases, in order (a session before its graph, or a SavedModel bundle)
     */
    TensorflowModel(Session session, String feed, String fetch, List<ModelInput> inputs, ModelInfo info,
            Duration runTimeout, AutoCloseable... resources) {
        this.session = session;
        this.feed = feed;
        this.fetch = fetch;
        this.inputs = List.copyOf(inputs);
        this.keys = inputs.stream().map(ModelInput::key).toArray(String[]::new);
        this.info = info;
        this.options = RunOptions.newBuilder().setTimeoutInMs(runTimeout.toMillis()).build();
        this.resources = resources.clone();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public List<ModelInput> inputs() {
        return inputs;
    }

    @Override
    public Prediction score(Features record) {
        return scoreBatch(List.of(record)).get(0);
    }

    /** A session run costs about the same for one record as for hundreds. */
    @Override
    public boolean scoresBatchesFaster() {
        return true;
    }

    @Override
    public List<Prediction> scoreBatch(List<? extends Features> records) {
        int n = records.size();
        if (n == 0) {
            return List.of();
        }
        int width = keys.length;
        float[] features = new float[n * width];
        for (int i = 0; i < n; i++) {
            row(records.get(i), features, i * width);
        }
        try (TFloat32 input = TFloat32.tensorOf(Shape.of(n, width), DataBuffers.of(features, true, false));
                Result result = session.runner().feed(feed, input).fetch(fetch).setOptions(options).run()) {
            return predictions(result.get(0), n);
        } catch (ScoringException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ScoringException("TensorFlow failed to score " + n + " record(s): " + e.getMessage(), e);
        }
    }

    /** A record's values in input order, at {@code offset}; a record without a number for each input fails. */
    private void row(Features record, float[] features, int offset) {
        List<String> lacking = null;
        for (int j = 0; j < keys.length; j++) {
            Object value = record.value(keys[j]);
            if (value instanceof Double d) {
                features[offset + j] = d.floatValue();
            } else if (value instanceof Boolean b) {
                features[offset + j] = b ? 1f : 0f;
            } else if (value == null) {
                lacking = lacking == null ? new ArrayList<>() : lacking;
                lacking.add(inputs.get(j).name());
            } else {
                throw new ScoringException("input '" + inputs.get(j).name() + "' is text ('" + abbreviated(value)
                        + "'); a TensorFlow model takes numbers and booleans");
            }
        }
        if (lacking != null) {
            throw new ScoringException("the record lacks the model's inputs " + lacking);
        }
    }

    private static String abbreviated(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
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
