package io.tumult.scheduler.cron;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import jakarta.enterprise.context.Dependent;

import org.jboss.logging.Logger;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.v1.Schedule;

/**
 * One cron fire of an experiment, run by whichever replica's Quartz acquired the trigger, {@code fire-lead} ahead of
 * its fire time ({@link LeadingCronTrigger}). Starts the fire time's run (the same run id however often it is fired: a
 * replica that recovers a killed one's fire repeats it harmlessly), whose run-start is published at the fire time, or,
 * for a schedule with a jitter, schedules the run's start at the drawn moment as a one-shot trigger of its own.
 */
@Dependent
public class FireJob implements Job {

    /** Key prefix of a jittered fire's one-shot trigger. */
    static final String JITTERED = "jittered/";

    private static final Logger LOG = Logger.getLogger(FireJob.class);

    private final RunLauncher launcher;
    private final ExperimentSchedules schedules;
    private final Timer triggerDelay;

    FireJob(RunLauncher launcher, ExperimentSchedules schedules, MeterRegistry registry) {
        this.launcher = launcher;
        this.schedules = schedules;
        this.triggerDelay = Timer.builder("tumult.scheduler.fire.trigger.delay")
                .description("From a fire's trigger time (a cron time less the fire lead) to its job starting on a"
                        + " replica: Quartz's share (acquiring the trigger and recording it fired, under its cluster lock)")
                .publishPercentileHistogram()
                .register(registry);
    }

    /**
     * The schedule's jitter, from the trigger's data (written with the schedule: a changed jitter is a new trigger),
     * or from the stored experiment for a trigger stored before the data held it. Null for none.
     */
    private static Duration jitterOf(JobDataMap data, Schedule stored) {
        if (data.containsKey(ExperimentSchedules.JITTER)) {
            String jitter = data.getString(ExperimentSchedules.JITTER);
            return jitter.isEmpty() ? null : Duration.parse(jitter);
        }
        return stored == null ? null : stored.jitter();
    }

    /** The experiment's stored schedule; null when it has none, or is gone. */
    private static Schedule storedSchedule(String name) throws Throwable {
        ExperimentEntity entity = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                () -> ExperimentEntity.<ExperimentEntity> findById(name)));
        return entity == null ? null : entity.experiment().spec().schedule();
    }

    /**
     * Whether a cron trigger is not its stored experiment's: its schedule changed (or was suspended, or the experiment
     * deleted) and this trigger was left behind, by a replica that died between storing the change and replacing the
     * trigger, or by two changes made at once on two replicas. Such a trigger would keep firing the old schedule.
     */
    private boolean stale(JobDataMap data, Schedule stored) {
        if (!data.containsKey(ExperimentSchedules.FINGERPRINT)) {
            return false;
        }
        return stored == null || stored.suspended()
                || !schedules.fingerprintOf(stored).equals(data.getString(ExperimentSchedules.FINGERPRINT));
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        JobDataMap data = context.getMergedJobDataMap();
        String name = data.getString(ExperimentSchedules.EXPERIMENT);
        String trigger = context.getTrigger().getKey().getName();
        Instant triggerTime = context.getScheduledFireTime().toInstant();
        if (context.isRecovering()) { // a replica died while firing: repeat its fire time, not the recovery's
            triggerTime = Instant.ofEpochMilli(
                    Long.parseLong(data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
            trigger = data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME);
        } else {
            triggerDelay.record(Duration.between(triggerTime, Instant.now()));
        }
        // a cron trigger fires its lead ahead of the (whole-second) cron time; a jittered one-shot at its own moment
        Instant at = trigger.startsWith(JITTERED) ? triggerTime
                : LeadingCronTrigger.cronTimeOf(Date.from(triggerTime)).toInstant();
        try {
            if (!trigger.startsWith(JITTERED)) {
                Schedule stored = storedSchedule(name);
                if (!context.isRecovering() && stale(data, stored)) {
                    LOG.warnf("experiment=%s trigger %s is not its stored schedule's: removed, its fire at %s not"
                            + " started", name, trigger, at);
                    context.getScheduler().unscheduleJob(context.getTrigger().getKey());
                    return;
                }
                Duration jitter = jitterOf(data, stored);
                if (jitter != null) {
                    schedules.scheduleJittered(name, at, CronExpressions.jittered(name, at, jitter));
                    return;
                }
            }
            VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled(name, at));
        } catch (Throwable e) {
            LOG.errorf(e, "experiment=%s cron fire at %s failed", name, at);
            throw new JobExecutionException(e);
        }
    }
}
