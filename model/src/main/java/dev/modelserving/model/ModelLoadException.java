package dev.modelserving.model;

/** A model was refused before going live; the message says why. */
public class ModelLoadException extends Exception {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
