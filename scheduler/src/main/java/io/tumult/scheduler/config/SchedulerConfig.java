package io.tumult.scheduler.config;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the scheduler, under {@code tumult.scheduler}. */
@ConfigMapping(prefix = "tumult.scheduler")
public interface SchedulerConfig {

    /**
     * How long before its fire time a cron fire is decided and committed (halt-all, suspend, starting deadline,
     * concurrency; blackouts are judged at the fire time itself). Its run-start is then published at the fire time,
     * with nothing but the send left, which is what keeps fire lag to milliseconds. A change committed within this
     * lead of a fire time applies from the next one; an executor still refuses a start under a halt published in
     * between. At least {@code 0s} (decide at the fire time) and under {@code 1s}.
     */
    @WithDefault("500ms")
    Duration fireLead();

    /**
     * How often each replica looks for stored schedules that have no trigger (an experiment stored by a replica that
     * died before writing its trigger) and schedules them. Their fires in between are missed fires: caught up within
     * their starting deadline.
     */
    @WithDefault("30s")
    Duration repairInterval();

    /**
     * How long after its deadline a run that never reported an end still counts as active for a Forbid schedule.
     * Past it, the run no longer blocks new fires.
     */
    @WithDefault("60s")
    Duration staleRunGrace();

    /**
     * How late a cron fire may still start a run when its schedule names no {@code startingDeadline}: a fire time
     * missed by more (the scheduler was down, say) is skipped and recorded as skipped.
     */
    @WithDefault("60s")
    Duration startingDeadline();

    /**
     * How long past its steady-state conditions' longest window and allowed silence a run waits, after its revert,
     * for the guardian's verdict that its steady state came back. With none by then (no guardian running, say), the
     * run fails with reason {@code steady-state-not-restored}.
     */
    @WithDefault("30s")
    Duration steadyStateVerdictGrace();

    /** How often each replica looks for runs whose verdict after their revert is overdue. */
    @WithDefault("5s")
    Duration verdictSweepInterval();

    /**
     * Blackout windows for every experiment ({@code tumult.scheduler.blackouts[0].cron=0 0 12 ? * MON-FRI},
     * {@code ...duration=1h}, {@code ...timezone=Europe/Berlin}): when one opens, runs in progress are aborted
     * (reason blackout); while it is open, no run starts.
     */
    List<GlobalBlackout> blackouts();

    interface GlobalBlackout {

        /** When the window opens: Unix cron (5 fields) or Quartz cron with seconds (6 or 7). */
        String cron();

        /** How long it stays open. */
        Duration duration();

        /** The IANA zone {@code cron} is read in. */
        @WithDefault("UTC")
        String timezone();
    }

    /** The transactional outbox's relay. */
    Outbox outbox();

    interface Outbox {

        /**
         * How long an event may stay unsent before any replica's relay takes it over. Its writer publishes it right
         * after its commit; this only covers a writer that died or a broker that did not answer.
         */
        @WithDefault("5s")
        Duration takeoverAfter();

        /** How often each replica looks for events to take over. */
        @WithDefault("1s")
        Duration sweepEvery();

        /** At most this many events taken over per sweep. */
        @WithDefault("100")
        int batch();
    }
}
