package io.tumult.executor.kubernetes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tumult.executor.attack.ResolvedTarget;

/**
 * How many candidates each run's latest resolution picked from, for {@code blastRadius.maxPercentage}: kept by run
 * id, so runs resolved at the same moment never read each other's count. The oldest runs are forgotten first.
 */
public final class CandidateCounts {

    private static final int REMEMBERED = 1_000;

    private final Map<UUID, Integer> byRun = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Integer> eldest) {
            return size() > REMEMBERED;
        }
    };

    public synchronized void record(UUID runId, int candidates) {
        byRun.put(runId, candidates);
    }

    /** The count recorded for {@code runId}, or as many as were resolved when none was. */
    public synchronized int of(UUID runId, List<ResolvedTarget> resolved) {
        return byRun.getOrDefault(runId, resolved.size());
    }
}
