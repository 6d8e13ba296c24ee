package dev.modelserving.model.pmml;

import dev.modelserving.model.Model;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.ScoringException;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.EvaluatorUtil;
import org.jpmml.evaluator.HasProbability;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.ModelEvaluator;
import org.jpmml.evaluator.TargetField;
import org.dmg.pmml.MiningFunction;

/** A PMML model: a thread-safe jpmml evaluator with the record fields mapped onto its input fields. */
final class PmmlModel implements Model {

    private final Evaluator evaluator;
    private final Shape shape;
    private final ModelInfo info;

    PmmlModel(Evaluator evaluator, Shape shape, ModelInfo info) {
        this.evaluator = evaluator;
        this.shape = shape;
        this.info = info;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Prediction score(WineRecord record) {
        Map<String, Object> arguments = new HashMap<>(shape.inputs.size() * 2);
        for (int i = 0; i < shape.inputs.size(); i++) {
            InputField field = shape.inputs.get(i);
            arguments.put(field.getName(), WineFeatures.value(record, shape.featureIndex[i]));
        }
        Map<String, ?> results;
        try {
            results = evaluator.evaluate(arguments);
        } catch (RuntimeException e) {
            throw new ScoringException("PMML evaluation failed: " + e.getMessage(), e);
        }
        Object target = results.get(shape.target);
        if (target == null) {
            throw new ScoringException("the model gave no value for its target '" + shape.target + "'");
        }
        return shape.classification ? classification(target) : regression(target);
    }

    private static Prediction regression(Object target) {
        Object value = EvaluatorUtil.decode(target);
        if (!(value instanceof Number n)) {
            throw new ScoringException("a regression gave a non-numeric value: " + value);
        }
        return Prediction.regression(n.doubleValue());
    }

    private static Prediction classification(Object target) {
        String label = text(EvaluatorUtil.decode(target));
        Map<String, Double> probabilities = new LinkedHashMap<>();
        if (target instanceof HasProbability hp) {
            for (Object category : hp.getCategories()) {
                probabilities.put(text(category), hp.getProbability(category).doubleValue());
            }
        }
        return Prediction.classification(label, probabilities);
    }

    /** Labels as people write them: 6, not 6.0, whichever numeric type the model's data dictionary uses. */
    private static String text(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        if ((value instanceof Double || value instanceof Float) && isSmallWholeNumber(((Number) value).doubleValue())) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        return String.valueOf(value);
    }

    private static boolean isSmallWholeNumber(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15;
    }

    /** What the loader found in the document: inputs mapped to record fields, the target and its kind. */
    static final class Shape {
        final List<InputField> inputs;
        final int[] featureIndex;
        final String target;
        final boolean classification;
        final String modelKind;

        private Shape(List<InputField> inputs, int[] featureIndex, String target, boolean classification,
                String modelKind) {
            this.inputs = inputs;
            this.featureIndex = featureIndex;
            this.target = target;
            this.classification = classification;
            this.modelKind = modelKind;
        }

        static Shape of(Evaluator evaluator) throws ModelLoadException {
            List<InputField> inputs = List.copyOf(evaluator.getInputFields());
            int[] index = new int[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                String name = inputs.get(i).getName();
                index[i] = WineFeatures.indexOf(name).orElseThrow(() -> new ModelLoadException(
                        "the model's input field '" + name + "' matches no wine record field (expected names like "
                                + WineFeatures.UCI_NAMES + ")"));
            }
            List<TargetField> targets = evaluator.getTargetFields();
            if (targets.isEmpty()) {
                throw new ModelLoadException("the model has no target field");
            }
            MiningFunction function = evaluator.getMiningFunction();
            if (function != MiningFunction.CLASSIFICATION && function != MiningFunction.REGRESSION) {
                throw new ModelLoadException("only classification and regression models are served, this one is "
                        + function);
            }
            String kind = evaluator instanceof ModelEvaluator<?> me
                    ? me.getModel().getClass().getSimpleName() : "PMML model";
            return new Shape(inputs, index, targets.get(0).getName(), function == MiningFunction.CLASSIFICATION, kind);
        }

        String describe() {
            return modelKind + " " + (classification ? "classification" : "regression") + " of '" + target + "' from "
                    + inputs.size() + " inputs";
        }
    }
}
