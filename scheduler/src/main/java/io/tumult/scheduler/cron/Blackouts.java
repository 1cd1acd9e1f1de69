package io.tumult.scheduler.cron;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.scheduler.config.SchedulerConfig;
import io.tumult.schemas.v1.Blackout;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Schedule;

/** Whether a blackout window, global ({@code tumult.scheduler.blackouts}) or the experiment's own, is open. */
@ApplicationScoped
public class Blackouts {

    private final SchedulerConfig config;

    Blackouts(SchedulerConfig config) {
        this.config = config;
    }

    /** Why no run of {@code experiment} may be active at {@code now}, or empty when none is open. */
    public Optional<String> openAt(Experiment experiment, Instant now) {
        for (var global : config.blackouts()) {
            var open = open(global.cron(), global.duration(), CronExpressions.zone(global.timezone()), now);
            if (open.isPresent()) {
                return Optional.of("the global blackout window " + global.cron() + " opened at " + open.get() + " for "
                        + global.duration());
            }
        }
        Schedule schedule = experiment.spec().schedule();
        if (schedule == null) {
            return Optional.empty();
        }
        ZoneId zone = CronExpressions.zone(schedule.timezone());
        for (Blackout blackout : schedule.blackouts()) {
            var open = open(blackout.cron(), blackout.duration(), zone, now);
            if (open.isPresent()) {
                return Optional.of("the blackout window " + blackout.cron() + " of " + experiment.name() + " opened at "
                        + open.get() + " for " + blackout.duration());
            }
        }
        return Optional.empty();
    }

    /** When the window that holds {@code now} opened, if one does. */
    static Optional<Instant> open(String cron, java.time.Duration duration, ZoneId zone, Instant now) {
        return CronExpressions.lastFireAtOrBefore(cron, zone, now).filter(opened -> now.isBefore(opened.plus(duration)));
    }
}
