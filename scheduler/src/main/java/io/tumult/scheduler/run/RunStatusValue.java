package io.tumult.scheduler.run;

import io.tumult.schemas.v1.RunPhase;

/** A run's recorded status. Every status but SCHEDULED and RUNNING is final. */
public enum RunStatusValue {
    SCHEDULED,
    RUNNING,
    COMPLETED,
    ABORTED,
    REFUSED,
    FAILED;

    public boolean terminal() {
        return this != SCHEDULED && this != RUNNING;
    }

    /** The status an executor's phase moves a run to. */
    public static RunStatusValue of(RunPhase phase) {
        return switch (phase) {
            case INJECTED -> RUNNING;
            case REVERTED -> COMPLETED;
            case ABORTED -> ABORTED;
            case REFUSED -> REFUSED;
            case FAILED -> FAILED;
        };
    }
}
