package io.tumult.executor.failsafe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Run ids that have a status on {@code tumult.runs.status}, from any executor; the oldest are forgotten first. */
final class SeenRuns {

    private final Set<UUID> seen;

    SeenRuns(int capacity) {
        this.seen = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                return size() > capacity;
            }
        });
    }

    synchronized void add(UUID runId) {
        seen.add(runId);
    }

    synchronized boolean contains(UUID runId) {
        return seen.contains(runId);
    }
}
