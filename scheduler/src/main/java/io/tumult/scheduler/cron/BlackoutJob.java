package io.tumult.scheduler.cron;

import java.time.Instant;

import jakarta.enterprise.context.Dependent;

import org.jboss.logging.Logger;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

import io.quarkus.vertx.VertxContextSupport;
import io.tumult.scheduler.run.RunLauncher;

/**
 * A blackout window opens: aborts the runs in progress that it covers (all of them for a global window), reason
 * {@code blackout}. While it is open the launcher starts no run it covers.
 */
@Dependent
public class BlackoutJob implements Job {

    private static final Logger LOG = Logger.getLogger(BlackoutJob.class);

    private final RunLauncher launcher;

    BlackoutJob(RunLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        String name = context.getMergedJobDataMap().getString(ExperimentSchedules.EXPERIMENT);
        Instant opened = context.getScheduledFireTime().toInstant();
        String experiment = ExperimentSchedules.GLOBAL.equals(name) ? null : name;
        try {
            int aborted = VertxContextSupport.subscribeAndAwait(() -> launcher.abortActive(experiment,
                    (experiment == null ? "a global blackout window" : "a blackout window of " + experiment)
                            + " opened at " + opened));
            LOG.infof("blackout of %s opened at %s: %d run(s) aborted", name, opened, aborted);
        } catch (Throwable e) {
            LOG.errorf(e, "blackout of %s at %s: aborting runs failed", name, opened);
            throw new JobExecutionException(e);
        }
    }
}
