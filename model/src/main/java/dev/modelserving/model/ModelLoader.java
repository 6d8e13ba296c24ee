package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;

/**
 * Turns the bytes of one model type into a live {@link Model}. Found with {@link java.util.ServiceLoader}, so a
 * build without a model type's module (TensorFlow) simply has no loader for it.
 */
public interface ModelLoader {

    ModelDescriptor.ModelType type();

    /**
     * Parses and prepares a model. The bytes are already size-checked and digest-checked.
     *
     * @throws ModelLoadException with a message that says what is wrong with the model
     */
    Model load(ModelDescriptor descriptor, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException;
}
