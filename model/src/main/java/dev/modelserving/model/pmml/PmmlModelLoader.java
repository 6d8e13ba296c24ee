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
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.dmg.pmml.ResultFeature;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;

/**
 * Loads PMML with jpmml-evaluator's own loader, whose XML parser refuses DOCTYPE declarations (so external
 * entities and entity expansion never happen), then verifies the model before it is used.
 */
public final class PmmlModelLoader implements ModelLoader {

    /**
     * A one-field regression: loading it once readies jpmml's JAXB context, its XML filters and the evaluator's
     * classes (2-4 s on a cold JVM on 2 cores, most of a server's first PMML load otherwise).
     */
    private static final String WARM_UP = """
            <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
              <Header/>
              <DataDictionary>
                <DataField name="x" optype="continuous" dataType="double"/>
                <DataField name="y" optype="continuous" dataType="double"/>
              </DataDictionary>
              <RegressionModel functionName="regression">
                <MiningSchema>
                  <MiningField name="x"/>
                  <MiningField name="y" usageType="target"/>
                </MiningSchema>
                <RegressionTable intercept="1.0">
                  <NumericPredictor name="x" coefficient="2.0"/>
                </RegressionTable>
              </RegressionModel>
            </PMML>
            """;

    /** The warm-up, started once per JVM by the first {@link #prepare} or load. */
    private static final AtomicReference<CompletableFuture<Void>> PREPARED = new AtomicReference<>();

    @Override
    public ModelDescriptor.ModelType type() {
        return ModelDescriptor.ModelType.PMML;
    }

    @Override
    public void prepare() {
        prepared();
    }

    private static CompletableFuture<Void> prepared() {
        CompletableFuture<Void> existing = PREPARED.get();
        if (existing != null) {
            return existing;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (!PREPARED.compareAndSet(null, mine)) {
            return PREPARED.get();
        }
        Thread warmUp = new Thread(() -> {
            try {
                evaluator(WARM_UP.getBytes(StandardCharsets.UTF_8));
            } catch (Exception | LinkageError e) {
                // a real load reports what is wrong
            } finally {
                mine.complete(null);
            }
        }, "pmml-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        return mine;
    }

    private static Evaluator evaluator(byte[] pmml) throws Exception {
        Evaluator evaluator = new LoadingModelEvaluatorBuilder()
                // Report XML errors through the exception below, not on standard output.
                .setValidationEventHandler(event -> event.getSeverity() == ValidationEvent.WARNING)
                // Classifiers give class probabilities even when the document declares no probability outputs.
                .setExtraResultFeatures(Set.of(ResultFeature.PROBABILITY))
                .load(new ByteArrayInputStream(pmml))
                .build();
        evaluator.verify();
        return evaluator;
    }

    @Override
    public Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
        // Two first loads at once would each build jpmml's JAXB context: wait for the one the warm-up builds.
        prepared().join();
        Evaluator evaluator;
        try {
            evaluator = evaluator(bytes.content());
        } catch (Exception | LinkageError e) {
            throw new ModelLoadException("not a usable PMML document: " + rootMessage(e), e);
        }
        PmmlModel.Shape shape = PmmlModel.Shape.of(evaluator);
        ModelInfo info = new ModelInfo(d.getName(), d.getDescription(), d.getDataType(), type(), d.getVersion(),
                bytes.size(), bytes.origin(), shape.describe(), bytes.sha256());
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
