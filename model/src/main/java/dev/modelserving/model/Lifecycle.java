package dev.modelserving.model;

import java.util.List;

/**
 * A dataType's model lifecycle as one server sees it.
 *
 * @param previous the version a rollback goes back to (name and version), null when there is none
 * @param candidate the candidate's comparison with the live model, null without a candidate
 * @param promotionRule the candidate's promotion rule in words, null without one
 * @param candidates candidates loaded
 * @param promotions candidates that went live
 * @param rollbacks versions gone back to: published again (by command or automatically), or the previous version
 *     of a withdrawn live one
 * @param automaticRollbacks rollbacks this registry asked for (a server's, or a Kafka Streams task's), because a
 *     new model failed too many records
 * @param events the most recent events, oldest first (at most {@link #MAX_EVENTS})
 */
public record Lifecycle(String previous, ShadowComparison.Figures candidate, String promotionRule, long candidates,
        long promotions, long rollbacks, long automaticRollbacks, List<LifecycleEvent> events) {

    public static final int MAX_EVENTS = 20;

    public Lifecycle {
        events = List.copyOf(events);
    }

    static Lifecycle none() {
        return new Lifecycle(null, null, null, 0, 0, 0, 0, List.of());
    }
}
