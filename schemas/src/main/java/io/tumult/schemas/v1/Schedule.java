package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When an experiment fires on its own.
 *
 * @param cron Unix cron (5 fields: minute hour day-of-month month day-of-week) or, for sub-minute schedules,
 *        Quartz cron with a leading seconds field (6 or 7 fields)
 * @param timezone IANA zone the expression is read in; UTC when absent
 * @param concurrency what to do when a fire time comes while the previous run is still active
 * @param startingDeadline how late a fire may still start a run (after downtime, say); a fire time missed by more
 *        is skipped and recorded as skipped. Null: the scheduler's default
 * @param suspend true holds the schedule: no fire starts a run, and on resume fire times missed while suspended are
 *        not caught up. Null: false
 * @param jitter each fire starts its run at a random moment within this long after the fire time, the same moment
 *        on every replica (drawn from the experiment's name and the fire time): {@code cron: "0 10 * * 1-5"} with
 *        {@code jitter: 6h} is once at a random time between 10:00 and 16:00 on weekdays. Null: at the fire time
 * @param historyLimit how many finished runs of this experiment to keep; older ones are deleted. Null: all
 * @param blackouts windows in which no run of this experiment may be active or start, read in {@code timezone}
 */
public record Schedule(
        String cron,
        String timezone,
        Concurrency concurrency,
        Duration startingDeadline,
        Boolean suspend,
        Duration jitter,
        Integer historyLimit,
        List<Blackout> blackouts) {

    public Schedule {
        Objects.requireNonNull(cron, "cron");
        timezone = timezone == null ? "UTC" : timezone;
        concurrency = concurrency == null ? Concurrency.FORBID : concurrency;
        blackouts = blackouts == null ? List.of() : List.copyOf(blackouts);
    }

    /** A schedule with only the fields v1 first had. */
    public Schedule(String cron, String timezone, Concurrency concurrency) {
        this(cron, timezone, concurrency, null, null, null, null, null);
    }

    /** Whether the schedule is held ({@code suspend: true}). */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }
}
