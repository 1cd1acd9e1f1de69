package io.tumult.scheduler.run;

import io.tumult.schemas.v1.RunPhase;

/**
 * A run's recorded status: SCHEDULED, then RUNNING, then one final status. Every status but SCHEDULED and RUNNING is
 * final.
 */
public enum RunStatusValue {
    /** Recorded and its run-start issued; no executor has reported yet. */
    SCHEDULED,
    /** The fault is in place on every target. */
    RUNNING,
    /**
     * The run completed and its steady state held after it: the fault stayed for its whole duration, was reverted at
     * its deadline, no abort came, and the guardian's verdict after the revert says the experiment's
     * {@code steadyState} conditions held again. A run whose experiment has no steady state passes at its revert; one
     * that has stays RUNNING until that verdict.
     */
    PASSED,
    /** Stopped early and reverted: an autoAbort condition held, a person or halt-all asked; the reason says which. */
    ABORTED,
    /** Refused before anything was touched: blast radius, a halt, a remembered abort, a stale start. */
    REFUSED,
    /**
     * The tooling failed (injection or revert; a run-start not yet published is retried, never failed), or the run
     * completed but its steady state did not come back after the revert (reason {@code steady-state-not-restored}).
     */
    FAILED;

    public boolean terminal() {
        return this != SCHEDULED && this != RUNNING;
    }

    /** The status an executor's phase moves a run to (a revert of a run with a steady state waits: see PASSED). */
    public static RunStatusValue of(RunPhase phase) {
        return switch (phase) {
            case INJECTED -> RUNNING;
            case REVERTED -> PASSED;
            case ABORTED -> ABORTED;
            case REFUSED -> REFUSED;
            case FAILED -> FAILED;
        };
    }
}
