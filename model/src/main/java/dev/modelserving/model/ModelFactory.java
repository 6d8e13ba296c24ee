package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes live models from descriptors: reads the bytes under the {@link LoadingPolicy}, hands them to the loader of
 * the model's type, and has the new model score sample records before anyone may use it. Whatever fails on the way
 * comes out as one {@link ModelLoadException} saying why; a half-made model is closed, never returned.
 */
public final class ModelFactory {

    /** A loader's thread stack: deep enough for a large PMML document, bounded for a hostile one. */
    private static final long LOAD_STACK_BYTES = 16L * 1024 * 1024;

    private final LoadingPolicy policy;
    private final ModelSource source;
    private final Map<ModelType, ModelLoader> loaders;

    /** Uses every {@link ModelLoader} on the class path. */
    public ModelFactory(LoadingPolicy policy) {
        this(policy, ServiceLoader.load(ModelLoader.class, ModelFactory.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    /**
     * A factory with these loaders; its work directory is made ready first ({@link WorkDirectory#prepare}: private
     * to this user, leftovers of dead servers deleted).
     *
     * @throws IllegalStateException when the work directory is not private to this user
     */
    public ModelFactory(LoadingPolicy policy, List<ModelLoader> loaders) {
        WorkDirectory.prepare(policy.workDir());
        this.policy = policy;
        this.source = new ModelSource(policy);
        this.loaders = new EnumMap<>(ModelType.class);
        for (ModelLoader loader : loaders) {
            this.loaders.putIfAbsent(loader.type(), loader);
        }
        this.loaders.values().forEach(ModelLoader::prepare);
    }

    /** The limits every model is loaded under. */
    public LoadingPolicy policy() {
        return policy;
    }

    /** The model types this build can load. */
    public Set<ModelType> supportedTypes() {
        return Set.copyOf(loaders.keySet());
    }

    /**
     * Loads and validates a model, on a thread of its own, within the policy's load timeout; the caller owns (and
     * closes) it. Whatever the load throws (an {@link Error} such as a {@link StackOverflowError} too) and a load
     * past the timeout come out as a {@link ModelLoadException}. A load still running at the timeout is left to its
     * thread (interrupted), and the model it may still make is closed, never served.
     */
    public Model load(ModelDescriptor d) throws ModelLoadException {
        CompletableFuture<Model> loading = new CompletableFuture<>();
        Thread loader = new Thread(null, () -> {
            try {
                loading.complete(loadNow(d));
            } catch (Throwable e) {
                loading.completeExceptionally(e);
            }
        }, "model-load-" + d.getDataType(), LOAD_STACK_BYTES);
        loader.setDaemon(true);
        loader.start();
        try {
            return loading.get(policy.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(loader, loading);
            throw new ModelLoadException("the load did not finish within " + policy.loadTimeout().toSeconds()
                    + " s (model-server.model-load-timeout) and was abandoned");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(loader, loading);
            throw new ModelLoadException("interrupted while the model loaded");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModelLoadException refused) {
                throw refused;
            }
            throw new ModelLoadException("the " + d.getModeltype() + " loader failed: " + e.getCause(), e.getCause());
        }
    }

    private static void abandon(Thread loader, CompletableFuture<Model> loading) {
        loader.interrupt();
        loading.thenAccept(Model::close);
    }

    private Model loadNow(ModelDescriptor d) throws ModelLoadException {
        if (d.getDataType().isBlank()) {
            throw new ModelLoadException("the descriptor has no dataType");
        }
        ModelLoader loader = loaderFor(d);
        ModelBytes bytes = source.read(d);
        Model model;
        try {
            model = loader.load(d, bytes, policy);
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new ModelLoadException("the " + d.getModeltype() + " loader failed: " + e, e);
        }
        try {
            scoreSamples(model, d.getDataType());
            return model;
        } catch (RuntimeException | Error e) {
            model.close();
            throw new ModelLoadException("the model loaded but failed on sample records: " + e.getMessage(), e);
        }
    }

    private ModelLoader loaderFor(ModelDescriptor d) throws ModelLoadException {
        if (d.getModeltype() == ModelType.UNRECOGNIZED) {
            throw new ModelLoadException("unknown model type " + d.getModeltypeValue() + " (known: "
                    + List.of(ModelType.TENSORFLOW, ModelType.PMML) + ")");
        }
        ModelLoader loader = loaders.get(d.getModeltype());
        if (loader == null) {
            throw new ModelLoadException("this build cannot load " + d.getModeltype() + " models (it can load "
                    + supportedTypes() + ")");
        }
        return loader;
    }

    private static void scoreSamples(Model model, String dataType) {
        List<Features> samples = SampleRecords.forInputs(model.inputs(), dataType);
        List<Prediction> batch = model.scoreBatch(samples);
        if (batch.size() != samples.size()) {
            throw new ScoringException("a batch of " + samples.size() + " gave " + batch.size() + " predictions");
        }
        for (int i = 0; i < samples.size(); i++) {
            check(batch.get(i));
            check(model.score(samples.get(i)));
        }
    }

    private static void check(Prediction p) {
        if (p == null || (p.label() == null && (p.value() == null || !Double.isFinite(p.value())))) {
            throw new ScoringException("no usable output (got " + p + ")");
        }
    }
}
