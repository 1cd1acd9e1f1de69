package io.tumult.executor.failsafe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The first claimant of each run seen on {@code tumult.runs.claims}, per node for node agents' claims (each claims its
 * node's share of a run); the oldest runs are forgotten first.
 */
final class FirstClaims {

    private final Map<Key, String> first;

    private record Key(UUID runId, String node) {
    }

    FirstClaims(int capacity) {
        this.first = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records a claim ({@code node} null: a cluster executor's); a later claim of the same run and node changes nothing. */
    synchronized void add(UUID runId, String node, String executor) {
        first.putIfAbsent(new Key(runId, node), executor);
    }

    /** The instance whose claim on the run (on {@code node}, or null) came first, or null. */
    synchronized String of(UUID runId, String node) {
        return first.get(new Key(runId, node));
    }
}
