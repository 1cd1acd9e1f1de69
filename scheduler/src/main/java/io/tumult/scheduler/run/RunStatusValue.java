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
     * The run completed: the fault stayed for its whole duration and was reverted at its deadline, and no abort came
     * (no autoAbort condition held, nobody stopped it). Until the guardian judges the steady state after a run, that
     * is what passed means.
     */
    PASSED,
    /** Stopped early and reverted: an autoAbort condition held, a person or halt-all asked; the reason says which. */
    ABORTED,
    /** Refused before anything was touched: blast radius, a halt, a remembered abort, a stale start. */
    REFUSED,
    /** The tooling failed: injection or revert failed, or the run-start could not be published. */
    FAILED;

    public boolean terminal() {
        return this != SCHEDULED && this != RUNNING;
    }

    /** The status an executor's phase moves a run to. */
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
