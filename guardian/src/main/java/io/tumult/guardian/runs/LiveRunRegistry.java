package io.tumult.guardian.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.schemas.v1.RunStarted;

/**
 * {@link LiveRuns} kept from the guardian's run-start and run-status consumers: every run, with or without autoAbort
 * conditions (an alert may abort any run). A run whose end is never heard of leaves a minute after its deadline, as
 * in the rule book.
 */
@ApplicationScoped
public class LiveRunRegistry implements LiveRuns {

    private static final Duration GRACE = Duration.ofSeconds(60);

    private final Map<UUID, LiveRun> runs = new ConcurrentHashMap<>();

    /** A run-start arrived; a repeated one changes nothing. */
    public void started(RunStarted start) {
        runs.putIfAbsent(start.runId(), LiveRun.of(start));
    }

    /** The run reached a terminal phase. */
    public void ended(UUID runId) {
        runs.remove(runId);
    }

    @Override
    public List<LiveRun> live(Instant now) {
        runs.values().removeIf(run -> now.isAfter(run.deadline().plus(GRACE)));
        return List.copyOf(runs.values());
    }
}
