package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;

/**
 * Turns the bytes of one model type into a live {@link Model}. Found with {@link java.util.ServiceLoader}, so a
 * build without a model type's module (TensorFlow) simply has no loader for it.
 */
public interface ModelLoader {

    ModelDescriptor.ModelType type();

    /**
     * Starts readying, in the background, what this loader's first load needs and would otherwise pay for then
     * (PMML: the XML binding's context, seconds on a cold JVM), so that a server's first model is served sooner. A
     * load that comes before it is done waits for it. Idempotent; does nothing by default.
     */
    default void prepare() {}

    /**
     * Parses and prepares a model. The bytes are already size-checked and digest-checked.
     *
     * @throws ModelLoadException with a message that says what is wrong with the model
     */
    Model load(ModelDescriptor descriptor, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException;
}
