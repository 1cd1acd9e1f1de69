package io.tumult.scheduler.cron;

import java.time.Instant;

import jakarta.enterprise.context.Dependent;

import org.jboss.logging.Logger;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.v1.Schedule;

/**
 * One cron fire of an experiment, run by whichever replica's Quartz acquired the trigger. Starts the fire time's run
 * (the same run id however often it is fired: a replica that recovers a killed one's fire repeats it harmlessly), or,
 * for a schedule with a jitter, schedules the run's start at the drawn moment as a one-shot trigger of its own.
 */
@Dependent
public class FireJob implements Job {

    /** Key prefix of a jittered fire's one-shot trigger. */
    static final String JITTERED = "jittered/";

    private static final Logger LOG = Logger.getLogger(FireJob.class);

    private final RunLauncher launcher;
    private final ExperimentSchedules schedules;

    FireJob(RunLauncher launcher, ExperimentSchedules schedules) {
        this.launcher = launcher;
        this.schedules = schedules;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        JobDataMap data = context.getMergedJobDataMap();
        String name = data.getString(ExperimentSchedules.EXPERIMENT);
        String trigger = context.getTrigger().getKey().getName();
        Instant fireTime = context.getScheduledFireTime().toInstant();
        if (context.isRecovering()) { // a replica died while firing: repeat its fire time, not the recovery's
            fireTime = Instant.ofEpochMilli(
                    Long.parseLong(data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
            trigger = data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME);
        }
        Instant at = fireTime;
        try {
            if (!trigger.startsWith(JITTERED)) {
                Schedule schedule = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                        () -> ExperimentEntity.<ExperimentEntity> findById(name)))
                        .experiment().spec().schedule();
                if (schedule != null && schedule.jitter() != null) {
                    schedules.scheduleJittered(name, at, CronExpressions.jittered(name, at, schedule.jitter()));
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
