package io.tumult.scheduler.run;

/** Why a cron fire time started no run (recorded in {@code skipped_fire}). */
public enum SkipReason {
    /** Fired later than the schedule's starting deadline (after downtime, say). */
    MISSED_DEADLINE,
    /** A run of the experiment was still active and the schedule's concurrency is Forbid. */
    FORBID,
    /** The schedule is suspended. */
    SUSPENDED,
    /** A blackout window (global or the experiment's) was open. */
    BLACKOUT
}
