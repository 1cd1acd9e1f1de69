package io.tumult.scheduler.cron;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Trigger;

/** One Quarkus scheduler job per scheduled experiment, kept in step with what is stored. */
@ApplicationScoped
public class ExperimentSchedules {

    private static final Logger LOG = Logger.getLogger(ExperimentSchedules.class);

    private final Scheduler scheduler;
    private final RunLauncher launcher;

    ExperimentSchedules(Scheduler scheduler, RunLauncher launcher) {
        this.scheduler = scheduler;
        this.launcher = launcher;
    }

    void scheduleStoredExperiments(@Observes StartupEvent event) throws Throwable {
        List<ExperimentEntity> stored = VertxContextSupport
                .subscribeAndAwait(() -> Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> listAll()));
        stored.forEach(e -> schedule(e.experiment()));
        LOG.infof("scheduled %d stored experiment(s)", stored.stream().filter(e -> e.experiment().spec().schedule() != null)
                .count());
    }

    /** (Re)schedules an experiment; one without a schedule is only unscheduled. */
    public synchronized void schedule(Experiment experiment) {
        unschedule(experiment.name());
        var schedule = experiment.spec().schedule();
        if (schedule == null) {
            return;
        }
        String name = experiment.name();
        scheduler.newJob(jobId(name))
                .setCron(CronExpressions.toQuartz(schedule.cron()))
                .setTimeZone(CronExpressions.zone(schedule.timezone()).getId())
                .setAsyncTask(execution -> launcher.fire(name, execution.getScheduledFireTime(), Trigger.CRON)
                        .onFailure().invoke(e -> LOG.errorf("experiment=%s cron fire failed: %s", name, e.getMessage()))
                        .onFailure().recoverWithNull()
                        .replaceWithVoid())
                .schedule();
    }

    public synchronized void unschedule(String name) {
        scheduler.unscheduleJob(jobId(name));
    }

    private static String jobId(String name) {
        return "experiment/" + name;
    }
}
