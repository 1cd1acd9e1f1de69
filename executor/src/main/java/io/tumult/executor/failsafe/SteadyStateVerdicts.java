package io.tumult.executor.failsafe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The first before-injection steady-state verdict of each run seen on {@code tumult.runs.verdicts}, and the starts
 * waiting for one: a verdict read before its start asked is kept for it. The oldest runs are forgotten first. A
 * verdict judged after a run's revert is for the scheduler: it never lets a fault in.
 */
final class SteadyStateVerdicts {

    private final Map<UUID, CompletableFuture<SteadyStateVerdict>> verdicts;

    SteadyStateVerdicts(int capacity) {
        this.verdicts = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, CompletableFuture<SteadyStateVerdict>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records a before-injection verdict; a later verdict on the same run, or one after a revert, changes nothing. */
    void add(SteadyStateVerdict verdict) {
        if (!verdict.afterRevert()) {
            future(verdict.runId()).complete(verdict);
        }
    }

    /** Completes with the run's first verdict, once it is read (at once when it already was). */
    CompletableFuture<SteadyStateVerdict> of(UUID runId) {
        return future(runId);
    }

    private synchronized CompletableFuture<SteadyStateVerdict> future(UUID runId) {
        return verdicts.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }
}
