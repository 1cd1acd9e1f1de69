package io.tumult.scheduler.run;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.config.SchedulerConfig;
import io.tumult.scheduler.control.HaltEventEntity;
import io.tumult.scheduler.cron.Blackouts;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.scheduler.outbox.Outbox;
import io.tumult.scheduler.outbox.OutboxEntity;
import io.tumult.scheduler.outbox.OutboxRelay;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Concurrency;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.DurationText;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Schedule;
import io.tumult.schemas.v1.Trigger;

/**
 * Starts runs. In one transaction, with the experiment's row locked (two fires of one experiment, from a cron and a
 * person or from two replicas, take turns): decide whether the fire may start a run (a halt-all in force, its
 * starting deadline, suspend, blackout windows, concurrency), record the run as SCHEDULED and put its run-start, and for
 * {@code Replace} the aborts
 * of the runs it replaces, in the outbox. After the commit the outbox's relay publishes them (acks=all): at once, or
 * for a cron fire decided ahead of its fire time ({@code tumult.scheduler.fire-lead}), at the fire time.
 * <p>
 * A cron fire time always maps to the same run id, so a fire repeated by a recovering replica is one run. A cron fire
 * that starts no run is recorded in {@code skipped_fire} with its reason.
 */
@ApplicationScoped
public class RunLauncher {

    private static final Logger LOG = Logger.getLogger(RunLauncher.class);
    /** The guardian's default allowed silence of a condition (its {@code tumult.guardian.no-data-after}). */
    private static final Duration GUARDIAN_NO_DATA_AFTER = Duration.ofSeconds(5);
    private static final String SKIP = "insert into skipped_fire (experiment, fire_time, reason, detail, recorded_at)"
            + " values (:experiment, :fireTime, :reason, :detail, :now) on conflict do nothing";
    private static final String TRIM_HISTORY = "delete from run where id in (select id from run where experiment ="
            + " :experiment and status not in ('SCHEDULED', 'RUNNING') order by fire_time desc offset :keep)";

    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Blackouts blackouts;
    private final SchedulerConfig config;
    private final InstantSource clock = InstantSource.system();

    RunLauncher(Outbox outbox, OutboxRelay relay, Blackouts blackouts, SchedulerConfig config) {
        this.outbox = outbox;
        this.relay = relay;
        this.blackouts = blackouts;
        this.config = config;
    }

    /** Starts a run now, for a person or a hook; skipped (409) under Forbid with a run active or in a blackout. */
    public Uni<FireResult> fire(String name, Instant fireTime, Trigger trigger) {
        boolean cron = trigger == Trigger.CRON;
        return launch(name, fireTime, trigger, cron ? cronRunId(name, fireTime) : UUID.randomUUID(),
                trigger.name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Starts run {@code runId}, recording who or what asked ({@code triggeredBy}). A run id that exists already is not
     * started again, so a caller that derives it from what triggered the run (a hook delivery) starts it once.
     */
    public Uni<FireResult> fire(String name, Instant fireTime, Trigger trigger, UUID runId, String triggeredBy) {
        return launch(name, fireTime, trigger, runId, triggeredBy);
    }

    /** Starts the run of a cron fire time, at most once however often this is called for it. */
    public Uni<FireResult> fireScheduled(String name, Instant fireTime) {
        return fire(name, fireTime, Trigger.CRON);
    }

    /**
     * Aborts the active runs of {@code experiment} (of every experiment when null) because a blackout window opened:
     * each abort goes through the outbox. Returns how many.
     */
    public Uni<Integer> abortActive(String experiment, String why) {
        Instant now = clock.instant();
        var active = List.of(RunStatusValue.SCHEDULED, RunStatusValue.RUNNING);
        return Panache.withTransaction(() -> (experiment == null
                ? RunEntity.<RunEntity> list("status in ?1 and deadline > ?2", active, now)
                : RunEntity.<RunEntity> list("experiment = ?1 and status in ?2 and deadline > ?3", experiment, active, now))
                .chain(runs -> {
                    var rows = new ArrayList<OutboxEntity>();
                    Uni<Void> all = Uni.createFrom().voidItem();
                    for (RunEntity run : runs) {
                        recordAbort(run, "scheduler (blackout window)", now);
                        var abort = new RunAborted(run.id.toString(), "scheduler", now,
                                new AbortReason(AbortKind.BLACKOUT, why, null, null));
                        all = all.chain(() -> outbox.add(EventType.RUN_ABORTED, run.id.toString(), abort, null, now)
                                .invoke(rows::add).replaceWithVoid());
                    }
                    return all.replaceWith(rows);
                }))
                .call(relay::publish)
                .map(List::size);
    }

    /** The run id of a cron fire time: the same on every replica and every retry. */
    public static UUID cronRunId(String name, Instant fireTime) {
        return UUID.nameUUIDFromBytes((name + "@" + fireTime).getBytes(StandardCharsets.UTF_8));
    }

    private Uni<FireResult> launch(String name, Instant fireTime, Trigger trigger, UUID runId, String triggeredBy) {
        boolean cron = trigger == Trigger.CRON;
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(name,
                LockModeType.PESSIMISTIC_WRITE)
                .chain(entity -> {
                    if (entity == null) {
                        return cron ? Uni.createFrom().item(Decision.skip("experiment " + name + " is gone"))
                                : Uni.createFrom().failure(new ExperimentNotFoundException(name));
                    }
                    return decide(entity.experiment(), runId, fireTime, trigger, triggeredBy, clock.instant());
                }))
                .chain(decision -> {
                    if (decision.rows().isEmpty()) {
                        LOG.infof("experiment=%s fire at %s skipped: %s", name, fireTime, decision.skipped());
                        return Uni.createFrom().item(FireResult.skipped(decision.skipped()));
                    }
                    // a cron fire decided ahead of its fire time is published at it; other starts at once
                    return (cron ? relay.publishAt(decision.rows(), fireTime) : relay.publish(decision.rows()))
                            .replaceWith(FireResult.started(runId));
                });
    }

    private record Decision(List<OutboxEntity> rows, String skipped) {

        static Decision skip(String why) {
            return new Decision(List.of(), why);
        }
    }

    private Uni<Decision> decide(Experiment experiment, UUID runId, Instant fireTime, Trigger trigger,
            String triggeredBy, Instant now) {
        // a halt-all refuses every new run until it is released
        return HaltEventEntity.inForce().chain(halt -> halt != null
                ? Uni.createFrom().item(Decision.skip("halt-all in force since " + halt.at + " (by " + halt.byWhom
                        + "): no new runs until it is released"))
                : decideUnhalted(experiment, runId, fireTime, trigger, triggeredBy, now));
    }

    private Uni<Decision> decideUnhalted(Experiment experiment, UUID runId, Instant fireTime, Trigger trigger,
            String triggeredBy, Instant now) {
        boolean cron = trigger == Trigger.CRON;
        Schedule schedule = experiment.spec().schedule();
        return RunEntity.<RunEntity> findById(runId).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(Decision.skip("fire time " + fireTime + " already ran as " + runId));
            }
            if (cron && (schedule == null || schedule.suspended())) {
                return skipped(experiment, fireTime, SkipReason.SUSPENDED, "the schedule is suspended or gone", now);
            }
            if (cron) {
                Duration deadline = schedule.startingDeadline() != null ? schedule.startingDeadline()
                        : config.startingDeadline();
                Duration late = Duration.between(fireTime, now);
                if (late.compareTo(deadline) > 0) {
                    return skipped(experiment, fireTime, SkipReason.MISSED_DEADLINE,
                            "fired " + late.toMillis() + " ms late, past its starting deadline of "
                                    + DurationText.format(deadline),
                            now);
                }
            }
            // judged at the fire time, which a fire decided ahead of it is not yet at
            Optional<String> blackout = blackouts.openAt(experiment, later(now, fireTime));
            if (blackout.isPresent()) {
                return cron ? skipped(experiment, fireTime, SkipReason.BLACKOUT, blackout.get(), now)
                        : Uni.createFrom().item(Decision.skip(blackout.get()));
            }
            Concurrency concurrency = schedule == null ? Concurrency.FORBID : schedule.concurrency();
            Uni<List<RunEntity>> active = concurrency == Concurrency.ALLOW ? Uni.createFrom().item(List.of())
                    : RunEntity.list("experiment = ?1 and status in ?2 and deadline > ?3", experiment.name(),
                            List.of(RunStatusValue.SCHEDULED, RunStatusValue.RUNNING), now.minus(config.staleRunGrace()));
            return active.chain(runs -> {
                if (!runs.isEmpty() && concurrency == Concurrency.FORBID) {
                    String why = "a run of " + experiment.name() + " is still active and its concurrency is Forbid";
                    return cron ? skipped(experiment, fireTime, SkipReason.FORBID, why, now)
                            : Uni.createFrom().item(Decision.skip(why));
                }
                return start(experiment, runs, runId, fireTime, trigger, triggeredBy, now);
            });
        });
    }

    /**
     * How long after its revert a run with {@code steadyState} waits for the guardian's verdict: its longest window
     * and allowed silence (its {@code noDataAfter}, else its window, at least the guardian's 5 s default), and the
     * grace. Null without a steady state.
     */
    private Long verdictWait(List<Condition> steadyState) {
        if (steadyState.isEmpty()) {
            return null;
        }
        long longest = 0;
        for (Condition c : steadyState) {
            Duration silence = c.noDataAfter() != null ? c.noDataAfter() : max(c.window(), GUARDIAN_NO_DATA_AFTER);
            longest = Math.max(longest, c.window().plus(silence).toMillis());
        }
        return longest + config.steadyStateVerdictGrace().toMillis();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private Uni<Decision> start(Experiment experiment, List<RunEntity> replaced, UUID runId, Instant fireTime,
            Trigger trigger, String triggeredBy, Instant now) {
        // issued at its fire time when decided ahead of it: its deadline counts from when executors get it
        var start = new RunStarted(runId, experiment.name(), trigger, later(now, fireTime), experiment.spec());
        var run = new RunEntity();
        run.id = runId;
        run.experiment = experiment.name();
        run.trigger = trigger;
        run.triggeredBy = triggeredBy;
        run.fireTime = fireTime;
        run.deadline = start.deadline();
        run.status = RunStatusValue.SCHEDULED;
        run.verdictWaitMillis = verdictWait(experiment.spec().steadyState());
        run.createdAt = now;
        run.updatedAt = now;
        var rows = new ArrayList<OutboxEntity>();
        Uni<Void> aborts = Uni.createFrom().voidItem();
        for (RunEntity old : replaced) { // concurrency Replace: the runs it replaces are aborted first
            recordAbort(old, "scheduler (replaced by run " + runId + ")", now);
            var abort = new RunAborted(old.id.toString(), "scheduler", now, new AbortReason(AbortKind.MANUAL,
                    "replaced by run " + runId + " (concurrency: Replace)", null, null));
            aborts = aborts.chain(() -> outbox.add(EventType.RUN_ABORTED, old.id.toString(), abort, null, now)
                    .invoke(rows::add).replaceWithVoid());
        }
        Integer keep = experiment.spec().schedule() == null ? null : experiment.spec().schedule().historyLimit();
        return aborts
                .chain(() -> run.persist())
                .chain(() -> outbox.add(EventType.RUN_STARTED, runId.toString(), start,
                        trigger == Trigger.CRON ? fireTime : null, now))
                .invoke(rows::add)
                .chain(() -> keep == null ? Uni.createFrom().voidItem()
                        : Panache.getSession().chain(s -> s.createNativeQuery(TRIM_HISTORY)
                                .setParameter("experiment", experiment.name())
                                .setParameter("keep", keep)
                                .executeUpdate())
                                .replaceWithVoid())
                .replaceWith(() -> new Decision(rows, null));
    }

    /** Records who aborted {@code run} (a managed entity: written with the transaction), unless someone already did. */
    private static void recordAbort(RunEntity run, String by, Instant now) {
        if (run.abortedBy == null) {
            run.abortedBy = by;
            run.abortRequestedAt = now;
            run.updatedAt = now;
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private Uni<Decision> skipped(Experiment experiment, Instant fireTime, SkipReason reason, String detail,
            Instant now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(SKIP)
                .setParameter("experiment", experiment.name())
                .setParameter("fireTime", fireTime)
                .setParameter("reason", reason.name())
                .setParameter("detail", detail)
                .setParameter("now", now)
                .executeUpdate())
                .replaceWith(Decision.skip(reason + ": " + detail));
    }
}
