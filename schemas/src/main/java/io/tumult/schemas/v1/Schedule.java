package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * When an experiment fires on its own.
 *
 * @param cron Unix cron (5 fields: minute hour day-of-month month day-of-week) or, for sub-minute schedules,
 *        Quartz cron with a leading seconds field (6 or 7 fields)
 * @param timezone IANA zone the expression is read in; UTC when absent
 * @param concurrency what to do when a fire time comes while the previous run is still active
 */
public record Schedule(String cron, String timezone, Concurrency concurrency) {

    public Schedule {
        Objects.requireNonNull(cron, "cron");
        timezone = timezone == null ? "UTC" : timezone;
        concurrency = concurrency == null ? Concurrency.FORBID : concurrency;
    }
}
