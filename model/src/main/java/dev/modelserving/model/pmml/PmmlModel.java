package dev.modelserving.model.pmml;

import dev.modelserving.model.Features;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.Prediction;
import dev.modelserving.model.ScoringException;
import java.math.BigDecimal;
import java.util.ArrayList;
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
import org.dmg.pmml.OpType;

/**
 * A PMML model: a thread-safe jpmml evaluator fed a record's values by the names of the model's input fields (its
 * data dictionary and mining schema). A value the record lacks is passed as missing, so jpmml applies the mining
 * schema's missing-value treatment; when the model then gives no answer, the error names the inputs the record
 * lacked.
 */
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
    public List<ModelInput> inputs() {
        return shape.declared;
    }

    @Override
    public Prediction score(Features record) {
        Map<String, Object> arguments = new HashMap<>(shape.inputs.size() * 2);
        List<String> lacking = null;
        for (int i = 0; i < shape.inputs.size(); i++) {
            ModelInput input = shape.declared.get(i);
            Object value = record.value(shape.keys[i]);
            if (value == null) {
                lacking = lacking == null ? new ArrayList<>() : lacking;
                lacking.add(input.name());
            }
            arguments.put(input.name(), input.kind() == ModelInput.Kind.TEXT && value != null ? text(value) : value);
        }
        Map<String, ?> results;
        try {
            results = evaluator.evaluate(arguments);
        } catch (RuntimeException e) {
            throw new ScoringException(lacks(lacking) + "PMML evaluation failed: " + e.getMessage(), e);
        }
        Object target = results.get(shape.target);
        if (target == null) {
            throw new ScoringException(lacks(lacking) + "the model gave no value for its target '" + shape.target
                    + "'");
        }
        return shape.classification ? classification(target) : regression(target);
    }

    private static String lacks(List<String> lacking) {
        return lacking == null ? "" : "the record lacks the model's inputs " + lacking + ": ";
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

    /** What the loader found in the document: its inputs, the target and its kind. */
    static final class Shape {
        final List<InputField> inputs;
        final List<ModelInput> declared;
        final String[] keys;
        final String target;
        final boolean classification;
        final String modelKind;

        private Shape(List<InputField> inputs, String target, boolean classification, String modelKind) {
            this.inputs = inputs;
            this.declared = inputs.stream().map(Shape::declared).toList();
            this.keys = declared.stream().map(ModelInput::key).toArray(String[]::new);
            this.target = target;
            this.classification = classification;
            this.modelKind = modelKind;
        }

        static Shape of(Evaluator evaluator) throws ModelLoadException {
            List<InputField> inputs = List.copyOf(evaluator.getInputFields());
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
            return new Shape(inputs, targets.get(0).getName(), function == MiningFunction.CLASSIFICATION, kind);
        }

        /** An input as the model declares it: booleans, numbers, else text; with its listed values. */
        private static ModelInput declared(InputField field) {
            ModelInput.Kind kind = switch (field.getDataType()) {
                case BOOLEAN -> ModelInput.Kind.BOOLEAN;
                case INTEGER, FLOAT, DOUBLE -> ModelInput.Kind.NUMBER;
                default -> ModelInput.Kind.TEXT;
            };
            List<String> categories = field.getOpType() == OpType.CONTINUOUS ? List.of()
                    : field.getDiscreteDomain().stream().map(PmmlModel::text).toList();
            return new ModelInput(field.getName(), kind, categories);
        }

        String describe() {
            return modelKind + " " + (classification ? "classification" : "regression") + " of '" + target + "' from "
                    + inputs.size() + " inputs";
        }
    }
}
