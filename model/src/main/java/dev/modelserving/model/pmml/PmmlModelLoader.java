package dev.modelserving.model.pmml;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelBytes;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelLoader;
import dev.modelserving.proto.ModelDescriptor;
import jakarta.xml.bind.ValidationEvent;
import java.io.ByteArrayInputStream;
import java.util.Set;
import org.dmg.pmml.ResultFeature;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;

/**
 * Loads PMML with jpmml-evaluator's own loader, whose XML parser refuses DOCTYPE declarations (so external
 * entities and entity expansion never happen), then verifies the model before it is used.
 */
public final class PmmlModelLoader implements ModelLoader {

    @Override
    public ModelDescriptor.ModelType type() {
        return ModelDescriptor.ModelType.PMML;
    }

    @Override
    public Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
        Evaluator evaluator;
        try {
            evaluator = new LoadingModelEvaluatorBuilder()
                    // Report XML errors through the exception below, not on standard output.
                    .setValidationEventHandler(event -> event.getSeverity() == ValidationEvent.WARNING)
                    // Classifiers give class probabilities even when the document declares no probability outputs.
                    .setExtraResultFeatures(Set.of(ResultFeature.PROBABILITY))
                    .load(new ByteArrayInputStream(bytes.content()))
                    .build();
            evaluator.verify();
        } catch (Exception | LinkageError e) {
            throw new ModelLoadException("not a usable PMML document: " + rootMessage(e), e);
        }
        PmmlModel.Shape shape = PmmlModel.Shape.of(evaluator);
        ModelInfo info = new ModelInfo(d.getName(), d.getDescription(), d.getDataType(), type(), d.getVersion(),
                bytes.size(), bytes.origin(), shape.describe());
        return new PmmlModel(evaluator, shape, info);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
