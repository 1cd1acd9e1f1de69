package io.tumult.executor.run;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;

/**
 * Admission and policy: which run-starts may act at all. Remembers the run ids seen (a redelivered start is
 * ignored), aborts that came before their start, the latest halt-all, and whether the executor is closing; refuses
 * stale starts and blast-radius breaches. Also keeps the active runs, under the same lock as the early-abort memory:
 * an abort either is remembered before its start is checked, or finds the run registered.
 */
final class Admission {

    /** What {@link #admit} decided. */
    sealed interface Decision {
    }

    /** The run id was seen before: ignore the start. */
    record Duplicate() implements Decision {
    }

    /** Refused before anything was touched. */
    record Refused(AttackException refusal) implements Decision {
    }

    /** Admitted and registered as active. */
    record Admitted(Run run) implements Decision {
    }

    private final InstantSource clock;
    private final Map<UUID, Run> active = new ConcurrentHashMap<>();
    private final Set<UUID> seen;
    private final Map<UUID, RunAborted> abortedBeforeStart;
    private Instant haltedAt = Instant.MIN;
    /** The fail-safe switches (halt-all until released, dead-man switch, runs seen on other executors). */
    private volatile StartGate gate = StartGate.OPEN;
    /** Set when shutdown begins: from then on no run is started, so nothing is injected that nobody would revert. */
    private boolean closing;

    Admission(int rememberedRuns, InstantSource clock) {
        this.clock = clock;
        this.seen = Collections.newSetFromMap(lru(rememberedRuns));
        this.abortedBeforeStart = lru(rememberedRuns);
    }

    synchronized Decision admit(RunStarted start) {
        if (!seen.add(start.runId()) || gate.seenElsewhere(start.runId())) {
            return new Duplicate();
        }
        AttackException gateRefusal = gate.refusal();
        AttackException refusal = closing
                ? new AttackException(Reason.SHUTTING_DOWN, "executor shutting down")
                : gateRefusal != null ? gateRefusal : refusalFor(start);
        if (refusal != null) {
            return new Refused(refusal);
        }
        Run run = new Run(start);
        active.put(start.runId(), run);
        return new Admitted(run);
    }

    /**
     * Takes an abort: a halt-all is remembered and returns every active run; a run's abort returns that run, or
     * nothing when it is not active here (then it is remembered, so a late start is refused).
     */
    synchronized List<Run> abort(RunAborted abort) {
        if (abort.haltsAll()) {
            haltedAt = abort.issuedAt().isAfter(haltedAt) ? abort.issuedAt() : haltedAt;
            return List.copyOf(active.values());
        }
        UUID runId = UUID.fromString(abort.runId());
        Run run = active.get(runId);
        if (run == null) {
            abortedBeforeStart.put(runId, abort);
            return List.of();
        }
        return List.of(run);
    }

    /** Remembers a run id as seen, so its start is ignored: a run recovered after a restart is over. */
    synchronized void markSeen(UUID runId) {
        seen.add(runId);
    }

    /** Puts the fail-safe switches in front of every admission. */
    void gate(StartGate gate) {
        this.gate = gate;
    }

    /** The active runs (faults in place or being injected), as a fail-safe switch reverts them. */
    synchronized List<Run> running() {
        return List.copyOf(active.values());
    }

    /** Stops admitting runs; returns the active ones. */
    synchronized List<Run> close() {
        closing = true;
        return List.copyOf(active.values());
    }

    /** The run has ended: its faults are gone (or reported as not). */
    void forget(Run run) {
        active.remove(run.start.runId());
    }

    Set<UUID> activeRuns() {
        return Set.copyOf(active.keySet());
    }

    /** Whether {@code runId} is active here. */
    boolean isActive(UUID runId) {
        return active.containsKey(runId);
    }

    private AttackException refusalFor(RunStarted start) {
        RunAborted early = abortedBeforeStart.get(start.runId());
        if (early != null) {
            return new AttackException(Reason.ABORTED_BEFORE_START,
                    "aborted by " + early.source() + " before it started: " + early.reason().message());
        }
        if (!clock.instant().isBefore(start.deadline())) { // the start's own fault first, whatever halts came since
            return new AttackException(Reason.STALE_START,
                    "stale start: its deadline " + start.deadline() + " has passed");
        }
        if (!start.issuedAt().isAfter(haltedAt)) {
            return new AttackException(Reason.HALTED,
                    "all runs were halted at " + haltedAt + ", after this run was issued");
        }
        return null;
    }

    /** Refuses targets beyond the run's blast radius. */
    static void checkBlastRadius(BlastRadius radius, List<ResolvedTarget> targets, int candidates) {
        if (radius == null) {
            return;
        }
        if (radius.maxTargets() != null && targets.size() > radius.maxTargets()) {
            throw new AttackException(Reason.BLAST_RADIUS, "blast radius exceeded: " + targets.size()
                    + " targets, maxTargets " + radius.maxTargets());
        }
        if (radius.maxPercentage() != null && candidates > 0
                && targets.size() * 100.0 / candidates > radius.maxPercentage()) {
            throw new AttackException(Reason.BLAST_RADIUS, "blast radius exceeded: " + targets.size()
                    + " of " + candidates + " targets, maxPercentage " + radius.maxPercentage());
        }
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
