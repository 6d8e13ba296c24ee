package dev.modelserving.model;

/** A record could not be scored by a model that is otherwise fine (e.g. a value outside the model's domain). */
public class ScoringException extends RuntimeException {

    public ScoringException(String message, Throwable cause) {
        super(message, cause);
    }

    public ScoringException(String message) {
        super(message);
    }
}
