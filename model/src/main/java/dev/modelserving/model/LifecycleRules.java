package dev.modelserving.model;

/**
 * When a newly live model is rolled back by itself: a model that went live by a new version or a promotion, with a
 * previous version to go back to, that fails to score more than {@code rollbackErrorRate} of
 * {@code rollbackWithinRecords} records within its first {@code rollbackWithinRecords} records. The server then
 * publishes the previous version again (README, "Model lifecycle").
 *
 * @param rollbackWithinRecords how many first records are watched; 0 turns automatic rollback off
 * @param rollbackErrorRate the share of them that may fail, from 0 (none) to 1
 */
public record LifecycleRules(long rollbackWithinRecords, double rollbackErrorRate) {

    /** More than 5 % of the first 1,000 records failing rolls a model back. */
    public static final LifecycleRules DEFAULTS = new LifecycleRules(1_000, 0.05);

    public LifecycleRules {
        if (rollbackWithinRecords < 0) {
            throw new IllegalArgumentException("rollbackWithinRecords must be 0 (off) or more, got "
                    + rollbackWithinRecords);
        }
        if (!(rollbackErrorRate >= 0 && rollbackErrorRate <= 1)) {
            throw new IllegalArgumentException("rollbackErrorRate must be between 0 and 1, got " + rollbackErrorRate);
        }
    }

    /** Errors allowed within the watched records; one more rolls the model back. */
    long allowedErrors() {
        return (long) Math.floor(rollbackErrorRate * rollbackWithinRecords);
    }
}
