package io.tumult.scheduler.cron;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.ScheduleBuilder;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.matchers.GroupMatcher;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.scheduler.config.SchedulerConfig;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Schedule;

/**
 * Keeps Quartz's clustered job store in step with the stored experiments. The store is shared by every replica (its
 * tables are in PostgreSQL), so a schedule written by one replica is fired by whichever replica acquires the trigger:
 * one replica per fire time, and a change made on any replica applies on all.
 * <p>
 * Per scheduled experiment: job {@code fire/<name>} ({@link FireJob}) with a cron trigger in the schedule's zone, and
 * when it has blackouts, job {@code blackout/<name>} ({@link BlackoutJob}) with one cron trigger per window. Global
 * blackouts are job {@code blackout/*}. Each trigger carries a fingerprint of what it was built from: a replica that
 * starts, or a change that repeats what is stored, leaves an unchanged trigger alone, so its next fire time, and the
 * fires missed while every replica was down, survive.
 */
@ApplicationScoped
public class ExperimentSchedules {

    static final String GROUP = "tumult";
    static final String FIRE = "fire/";
    static final String EXPERIMENT = "experiment";
    static final String FINGERPRINT = "fingerprint";
    /** The schedule's jitter (ISO-8601), empty for none: a fire needs no lookup of its experiment to know it. */
    static final String JITTER = "jitter";
    /**
     * A new or changed schedule first fires at its first time at least this long after it is stored, so that its
     * first fire, like every other, is decided a whole fire lead ahead (a time sooner would fire late, not early).
     */
    static final Duration FIRST_FIRE_AFTER = Duration.ofSeconds(1);
    /** The experiment name under which global blackouts are stored. */
    static final String GLOBAL = "*";

    private static final Logger LOG = Logger.getLogger(ExperimentSchedules.class);

    private final Scheduler quartz;
    private final SchedulerConfig config;

    ExperimentSchedules(Scheduler quartz, SchedulerConfig config) {
        this.quartz = quartz;
        this.config = config;
    }

    void reconcileAtStart(@Observes StartupEvent event) throws Throwable {
        if (config.outbox().takeoverAfter().compareTo(config.fireLead()) <= 0) {
            throw new IllegalStateException("tumult.scheduler.outbox.takeover-after (" + config.outbox().takeoverAfter()
                    + ") must be longer than tumult.scheduler.fire-lead (" + config.fireLead() + ")");
        }
        List<ExperimentEntity> stored = VertxContextSupport
                .subscribeAndAwait(() -> Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> listAll()));
        var names = new HashSet<String>();
        for (ExperimentEntity entity : stored) {
            schedule(entity.experiment());
            names.add(entity.name);
        }
        // triggers of experiments deleted while their replica could not unschedule them
        for (JobKey job : quartz.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
            String name = job.getName().substring(job.getName().indexOf('/') + 1);
            // (job names are fire/<name> and blackout/<name>)
            if (!GLOBAL.equals(name) && !names.contains(name)) {
                quartz.deleteJob(job);
            }
        }
        scheduleGlobalBlackouts();
        LOG.infof("schedules reconciled with %d stored experiment(s)", stored.size());
    }

    /**
     * Schedules every stored, active schedule that has no trigger: its experiment was stored by a replica that died
     * before writing the trigger. Never replaces a trigger: one left behind by a change is {@link FireJob}'s to find,
     * and one written here from a read that a concurrent change or delete has since overtaken is found the same way.
     * Returns how many it scheduled.
     */
    int scheduleWhatHasNoTrigger() throws Throwable {
        List<ExperimentEntity> stored = VertxContextSupport
                .subscribeAndAwait(() -> Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> listAll()));
        int repaired = 0;
        for (ExperimentEntity entity : stored) {
            Schedule schedule = entity.experiment().spec().schedule();
            if (schedule != null && !schedule.suspended() && fireTriggers(entity.name).isEmpty()) {
                LOG.warnf("experiment=%s has a schedule and no trigger (its replica died while storing it):"
                        + " scheduling it", entity.name);
                schedule(entity.experiment());
                repaired++;
            }
        }
        return repaired;
    }

    /** {@link #scheduleWhatHasNoTrigger()} now and then, on every replica (the in-memory scheduler, a worker thread). */
    @Scheduled(every = "${tumult.scheduler.repair-interval:30s}", delayed = "${tumult.scheduler.repair-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    void repairNowAndThen() throws Throwable {
        scheduleWhatHasNoTrigger();
    }

    /** (Re)schedules an experiment: one without a schedule, or suspended, is only unscheduled. Blocking. */
    public void schedule(Experiment experiment) {
        String name = experiment.name();
        Schedule schedule = experiment.spec().schedule();
        try {
            if (schedule == null || schedule.suspended()) {
                unschedule(name);
                return;
            }
            String fingerprint = fingerprintOf(schedule);
            List<Trigger> current = fireTriggers(name);
            if (current.size() == 1 && fingerprint.equals(current.get(0).getJobDataMap().getString(FINGERPRINT))) {
                return; // unchanged: keep its next fire time
            }
            JobDetail fire = JobBuilder.newJob(FireJob.class).withIdentity(fireJob(name))
                    .usingJobData(EXPERIMENT, name)
                    .requestRecovery() // a replica killed while firing: another fires it again (same run id)
                    .build();
            // A changed schedule is a new trigger under a new key, and the old one is deleted; never an update in
            // place: a replica that acquired the old trigger before the change and fires it after another replica
            // re-acquired the updated one would pass Quartz's state check and write the old trigger back.
            Trigger cron = TriggerBuilder.newTrigger().withIdentity(FIRE + name + "/" + UUID.randomUUID(), GROUP)
                    .forJob(fire).startAt(firstFireFrom(Instant.now()))
                    .usingJobData(FINGERPRINT, fingerprint)
                    .usingJobData(JITTER, schedule.jitter() == null ? "" : schedule.jitter().toString())
                    .withSchedule(fireSchedule(schedule.cron(), schedule.timezone(), config.fireLead()))
                    .build();
            quartz.scheduleJob(fire, Set.of(cron), true);
            for (Trigger old : current) {
                quartz.unscheduleJob(old.getKey());
            }
            JobDetail blackout = blackoutJob(name);
            quartz.deleteJob(blackout.getKey());
            var windows = new LinkedHashSet<Trigger>();
            for (int i = 0; i < schedule.blackouts().size(); i++) {
                windows.add(TriggerBuilder.newTrigger().withIdentity("blackout/" + name + "/" + UUID.randomUUID(), GROUP)
                        .forJob(blackout).withSchedule(cronSchedule(schedule.blackouts().get(i).cron(),
                                schedule.timezone()))
                        .build());
            }
            if (!windows.isEmpty()) {
                quartz.scheduleJob(blackout, windows, true);
            }
            LOG.infof("experiment=%s scheduled: %s (%s), next fire %s", name, schedule.cron(), schedule.timezone(),
                    LeadingCronTrigger.cronTimeOf(cron.getFireTimeAfter(new Date())));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes an experiment's triggers (and any jittered fire still pending). Blocking. */
    public void unschedule(String name) {
        try {
            quartz.deleteJob(fireJob(name));
            quartz.deleteJob(blackoutJob(name).getKey());
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot unschedule " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Schedules the run of a jittered fire at {@code startAt}, once however many replicas ask: the trigger's key
     * names the fire time.
     */
    void scheduleJittered(String name, Instant fireTime, Instant startAt) throws SchedulerException {
        try {
            quartz.scheduleJob(TriggerBuilder.newTrigger()
                    .withIdentity(FireJob.JITTERED + name + "/" + fireTime.toEpochMilli(), GROUP)
                    .forJob(fireJob(name))
                    .startAt(Date.from(startAt))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                    .build());
        } catch (ObjectAlreadyExistsException e) {
            // another fire of the same time got there first
        }
    }

    private void scheduleGlobalBlackouts() throws SchedulerException {
        JobDetail job = blackoutJob(GLOBAL);
        String fingerprint = fingerprint(config.blackouts().stream()
                .map(b -> b.cron() + "|" + b.duration() + "|" + b.timezone()).toList().toString()
                .getBytes(StandardCharsets.UTF_8));
        var current = quartz.getTriggersOfJob(job.getKey());
        if (current.size() == config.blackouts().size()
                && current.stream().allMatch(t -> fingerprint.equals(t.getJobDataMap().getString(FINGERPRINT)))) {
            return;
        }
        quartz.deleteJob(job.getKey());
        var triggers = new LinkedHashSet<Trigger>();
        for (var b : config.blackouts()) {
            triggers.add(TriggerBuilder.newTrigger().withIdentity("blackout/*/" + UUID.randomUUID(), GROUP).forJob(job)
                    .usingJobData(FINGERPRINT, fingerprint)
                    .withSchedule(cronSchedule(b.cron(), b.timezone())).build());
        }
        if (!triggers.isEmpty()) {
            quartz.scheduleJob(job, triggers, true);
        }
    }

    /**
     * A cron trigger's schedule. A fire time missed while no replica could fire it (all down, or the one holding it
     * killed) is fired late rather than dropped ({@code ignore misfires}); the launcher then starts it within its
     * starting deadline or records it as skipped.
     */
    static CronScheduleBuilder cronSchedule(String cron, String timezone) {
        return CronScheduleBuilder.cronSchedule(CronExpressions.quartz(cron, CronExpressions.zone(timezone)))
                .inTimeZone(TimeZone.getTimeZone(CronExpressions.zone(timezone)))
                .withMisfireHandlingInstructionIgnoreMisfires();
    }

    /**
     * An experiment's fire schedule: {@link #cronSchedule}'s, with each fire {@code lead} ahead of its cron time (see
     * {@link SchedulerConfig#fireLead}).
     */
    static ScheduleBuilder<CronTrigger> fireSchedule(String cron, String timezone, Duration lead) {
        return LeadingCronTrigger.schedule(CronExpressions.quartz(cron, CronExpressions.zone(timezone)), lead);
    }

    /**
     * The start of a schedule stored at {@code storedAt}: the first whole second at least {@link #FIRST_FIRE_AFTER}
     * after it. A cron trigger drops its start's milliseconds, so the default start (now) lets it take the time of the
     * second already begun, past or within the lead, and fire it late.
     */
    static Date firstFireFrom(Instant storedAt) {
        Instant earliest = storedAt.plus(FIRST_FIRE_AFTER);
        Instant second = earliest.truncatedTo(ChronoUnit.SECONDS);
        return Date.from(second.equals(earliest) ? second : second.plusSeconds(1));
    }

    static JobKey fireJob(String name) {
        return JobKey.jobKey(FIRE + name, GROUP);
    }

    /** The experiment's cron trigger (one, but two for a moment while it changes); not its jittered one-shots. */
    List<Trigger> fireTriggers(String name) throws SchedulerException {
        return quartz.getTriggersOfJob(fireJob(name)).stream()
                .filter(t -> t.getKey().getName().startsWith(FIRE + name + "/"))
                .map(t -> (Trigger) t).toList();
    }

    private static JobDetail blackoutJob(String name) {
        return JobBuilder.newJob(BlackoutJob.class).withIdentity("blackout/" + name, GROUP)
                .usingJobData(EXPERIMENT, name).requestRecovery().build();
    }

    /**
     * What a schedule's fire trigger is made from (the schedule and the fire lead), as the trigger's data keeps it
     * ({@link #FINGERPRINT}): a trigger whose fingerprint is not its stored experiment's is stale ({@link FireJob}).
     */
    String fingerprintOf(Schedule schedule) {
        return fingerprint((new String(TumultJson.encode(schedule), StandardCharsets.UTF_8) + "|lead="
                + config.fireLead()).getBytes(StandardCharsets.UTF_8));
    }

    private static String fingerprint(byte[] bytes) {
        return UUID.nameUUIDFromBytes(bytes).toString();
    }
}
