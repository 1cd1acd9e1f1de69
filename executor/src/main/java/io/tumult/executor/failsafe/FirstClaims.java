package io.tumult.executor.failsafe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The first claimant of each run seen on {@code tumult.runs.claims}; the oldest runs are forgotten first. */
final class FirstClaims {

    private final Map<UUID, String> first;

    FirstClaims(int capacity) {
        this.first = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records a claim; a later claim of the same run changes nothing. */
    synchronized void add(UUID runId, String executor) {
        first.putIfAbsent(runId, executor);
    }

    /** The instance whose claim on the run came first, or null. */
    synchronized String of(UUID runId) {
        return first.get(runId);
    }
}
