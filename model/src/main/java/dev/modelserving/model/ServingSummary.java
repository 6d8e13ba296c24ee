package dev.modelserving.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One view of several registries that serve the same models side by side (the tasks of a Kafka Streams instance,
 * the instances of an application): what a client asks "which model serves this dataType?" is answered
 * conservatively, counters are added up.
 *
 * <p>Each registry loads every model itself, so a dataType is served by a model only when every registry that has
 * seen the dataType serves it; mid-swap the answer is the least advanced registry's model (or none), never a
 * model some registry has not loaded yet. Record counters (skipped, scoring errors) are sums; the current model's
 * invocations and durations cover the registries serving that same model; load counters (swaps, failed loads)
 * count each model once, so they are the largest of the registries', not the sum.
 */
public final class ServingSummary {

    private ServingSummary() {}

    /** dataType to the merged statistics of every registry that has seen it, sorted by dataType. */
    public static Map<String, ServingStats> stats(Collection<Map<String, ServingStats>> parts) {
        Map<String, List<ServingStats>> byType = new TreeMap<>();
        parts.forEach(p -> p.forEach((type, s) -> byType.computeIfAbsent(type, t -> new ArrayList<>()).add(s)));
        Map<String, ServingStats> out = new TreeMap<>();
        byType.forEach((type, list) -> out.put(type, merge(list)));
        return out;
    }

    /** One dataType's statistics from several registries (at least one). */
    public static ServingStats merge(List<ServingStats> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        ServingStats current = parts.stream().min(Comparator.comparing(ServingSummary::servingSince)).orElseThrow();
        long invocations = 0;
        double totalMs = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        long skipped = 0;
        long errors = 0;
        long swaps = 0;
        long failedLoads = 0;
        LoadFailure lastFailure = null;
        for (ServingStats s : parts) {
            if (Objects.equals(s.name(), current.name()) && Objects.equals(s.version(), current.version())
                    && s.invocations() > 0) {
                invocations += s.invocations();
                totalMs += s.meanMs() * s.invocations();
                min = Math.min(min, s.minMs());
                max = Math.max(max, s.maxMs());
            }
            skipped += s.skipped();
            errors += s.scoringErrors();
            swaps = Math.max(swaps, s.modelSwaps());
            failedLoads = Math.max(failedLoads, s.failedLoads());
            if (s.lastLoadFailure() != null
                    && (lastFailure == null || s.lastLoadFailure().at().isAfter(lastFailure.at()))) {
                lastFailure = s.lastLoadFailure();
            }
        }
        return new ServingStats(current.dataType(), current.name(), current.description(), current.version(),
                current.since(), invocations, invocations == 0 ? 0 : totalMs / invocations,
                invocations == 0 ? 0 : min, max, skipped, errors, swaps, failedLoads, lastFailure, 0, null,
                lifecycle(parts));
    }

    /**
     * dataType to the model serving it in every registry that has seen the dataType (the least advanced one's,
     * mid-swap); a dataType some registry has seen without a model is left out.
     *
     * @param models each registry's {@link ModelRegistry#servedModels()}
     * @param seen each registry's dataTypes seen ({@link ModelRegistry#allStats()} keys), same order as models
     */
    public static Map<String, CurrentModel> models(List<Map<String, CurrentModel>> models,
            List<? extends Collection<String>> seen) {
        if (models.size() != seen.size()) {
            throw new IllegalArgumentException("one set of seen dataTypes per registry");
        }
        Map<String, CurrentModel> out = new TreeMap<>();
        Map<String, Boolean> everywhere = new TreeMap<>();
        for (int i = 0; i < models.size(); i++) {
            Map<String, CurrentModel> served = models.get(i);
            for (String type : seen.get(i)) {
                CurrentModel m = served.get(type);
                if (m == null) {
                    everywhere.put(type, false);
                } else {
                    everywhere.putIfAbsent(type, true);
                    out.merge(type, m, ServingSummary::merge);
                }
            }
        }
        everywhere.forEach((type, all) -> {
            if (!all) {
                out.remove(type);
            }
        });
        return out;
    }

    /**
     * The lifecycle of a dataType over registries that each saw the same models topic (a Kafka Streams server's
     * tasks): the busiest registry's (most events, then most records compared) counters and events, and the
     * candidate's comparison over all of them ({@link #merged}).
     */
    private static Lifecycle lifecycle(List<ServingStats> parts) {
        Lifecycle most = null;
        List<ShadowComparison.Figures> candidates = new ArrayList<>();
        for (ServingStats s : parts) {
            Lifecycle l = s.lifecycle();
            if (l == null) {
                continue;
            }
            if (l.candidate() != null) {
                candidates.add(l.candidate());
            }
            if (most == null || busier(l, most)) {
                most = l;
            }
        }
        if (most == null || most.candidate() == null) {
            return most;
        }
        String candidate = most.candidate().candidate();
        candidates.removeIf(f -> !f.candidate().equals(candidate)); // mid-swap, another candidate's figures
        return new Lifecycle(most.previous(), merged(candidates), most.promotionRule(), most.candidates(),
                most.promotions(), most.rollbacks(), most.automaticRollbacks(), most.events());
    }

    /**
     * Comparisons of one candidate in several registries as one: counts add up, the agreement and the mean difference
     * are worked out from the summed counts, the largest difference is the largest of all; the percentiles, which do
     * not add up, are those of the registry that compared most.
     */
    static ShadowComparison.Figures merged(List<ShadowComparison.Figures> parts) {
        ShadowComparison.Figures most = parts.get(0);
        long compared = 0;
        long errors = 0;
        long notCompared = 0;
        long labelled = 0;
        long agreed = 0;
        long valued = 0;
        double differences = 0;
        Double max = null;
        for (ShadowComparison.Figures f : parts) {
            compared += f.compared();
            errors += f.candidateErrors();
            notCompared += f.notCompared();
            labelled += f.labelled();
            agreed += f.agreed();
            valued += f.valued();
            differences += f.absoluteDifferenceSum();
            if (f.maxAbsoluteDifference() != null) {
                max = max == null ? f.maxAbsoluteDifference() : Math.max(max, f.maxAbsoluteDifference());
            }
            if (f.compared() > most.compared()) {
                most = f;
            }
        }
        return ShadowComparison.Figures.of(most.live(), most.candidate(), most.since(), compared, labelled, agreed,
                valued, differences, max, most.liveP50Ms(), most.liveP99Ms(), most.candidateP50Ms(),
                most.candidateP99Ms(), errors, notCompared);
    }

    private static boolean busier(Lifecycle a, Lifecycle b) {
        if (a.events().size() != b.events().size()) {
            return a.events().size() > b.events().size();
        }
        long ca = a.candidate() == null ? -1 : a.candidate().compared();
        long cb = b.candidate() == null ? -1 : b.candidate().compared();
        return ca > cb;
    }

    /**
     * Two registries' current model of a dataType: the same model (name, version, SHA-256) with the partitions of
     * both and the earlier since; different models (mid-swap), the one that went live first.
     */
    private static CurrentModel merge(CurrentModel a, CurrentModel b) {
        if (Objects.equals(a.model().name(), b.model().name()) && Objects.equals(a.model().version(), b.model().version())
                && Objects.equals(a.model().sha256(), b.model().sha256())) {
            Map<Integer, Long> from = new TreeMap<>(a.liveFrom());
            from.putAll(b.liveFrom());
            List<ShadowComparison.Figures> candidates = new ArrayList<>();
            if (a.candidate() != null) {
                candidates.add(a.candidate());
            }
            if (b.candidate() != null && (a.candidate() == null
                    || b.candidate().candidate().equals(a.candidate().candidate()))) {
                candidates.add(b.candidate());
            }
            return new CurrentModel(a.model(), a.since().isAfter(b.since()) ? b.since() : a.since(), from,
                    candidates.isEmpty() ? null : merged(candidates));
        }
        return a.since().isAfter(b.since()) ? b : a;
    }

    /** When a registry's current model went live; a registry with no model counts as the least advanced. */
    private static Instant servingSince(ServingStats s) {
        return s.name() == null || s.since() == null ? Instant.MIN : s.since();
    }
}
