package dev.modelserving.model;

import java.util.Optional;

/** What became of a model offered to the {@link ModelRegistry}. */
public sealed interface LoadOutcome {

    /** One line for a log: what is served now and why. */
    String message();

    /**
     * The model is live; {@code replaced} is the one it took over from, already closed; {@code event} says how it
     * came: {@code live} (a version published), {@code promoted}, {@code rolled back} or {@code restored}.
     */
    record Loaded(ModelInfo model, Optional<ModelInfo> replaced, String event) implements LoadOutcome {
        @Override
        public String message() {
            return "model " + model.label() + " (" + model.type() + ", " + model.details() + ") now serves dataType '"
                    + model.dataType() + "'" + replaced.map(r -> ", replacing " + r.label()).orElse("");
        }
    }

    /** The model was refused; {@code stillServing} is the model that goes on serving, if any. */
    record Rejected(String dataType, LoadFailure failure, Optional<ModelInfo> stillServing) implements LoadOutcome {
        @Override
        public String message() {
            String name = failure.version().isEmpty() ? "'" + failure.modelName() + "'"
                    : "'" + failure.modelName() + "' v" + failure.version();
            return "model " + name + " for dataType '" + dataType + "' rejected: " + failure.reason() + "; "
                    + stillServing.map(m -> "still serving " + m.label()).orElse("no model serves it");
        }
    }

    /**
     * The model scores beside the live one as its candidate (shadow scoring): its outputs are compared, not
     * published as results; {@code replaced} is the candidate it took over from, already closed.
     */
    record CandidateLoaded(ModelInfo candidate, ModelInfo live, Optional<ModelInfo> replaced) implements LoadOutcome {
        @Override
        public String message() {
            return "model " + candidate.label() + " (" + candidate.type() + ", " + candidate.details()
                    + ") scores dataType '" + candidate.dataType() + "' as the candidate beside " + live.label()
                    + replaced.map(r -> ", replacing candidate " + r.label()).orElse("");
        }
    }

    /**
     * A message that changed no model served: the model already live or already the candidate published again (a
     * promotion or rollback another server published too), a version withdrawn that was not in use, a candidate
     * withdrawn.
     */
    record Unchanged(String dataType, Optional<ModelInfo> live, String why) implements LoadOutcome {
        @Override
        public String message() {
            return why;
        }
    }

    /** A model was withdrawn on request (e.g. a tombstone on the models topic). */
    record Removed(String dataType, Optional<ModelInfo> removed) implements LoadOutcome {
        @Override
        public String message() {
            return "dataType '" + dataType + "' has no model now"
                    + removed.map(m -> " (removed " + m.label() + ")").orElse("");
        }
    }
}
