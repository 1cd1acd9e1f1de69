package io.tumult.scheduler.run;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.config.SchedulerConfig;
import io.tumult.scheduler.control.HaltEventEntity;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.schemas.v1.Concurrency;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/**
 * Starts runs: records the run as SCHEDULED, then publishes its run-start and waits for the broker. A cron fire time
 * always maps to the same run id, so a repeated fire is one run. Honours {@code concurrency: Forbid}.
 */
@ApplicationScoped
public class RunLauncher {

    private static final Logger LOG = Logger.getLogger(RunLauncher.class);

    private final RunStartSink sink;
    private final SchedulerConfig config;
    private final Clock clock = Clock.systemUTC();

    RunLauncher(RunStartSink sink, SchedulerConfig config) {
        this.sink = sink;
        this.config = config;
    }

    public Uni<FireResult> fire(String name, Instant fireTime, Trigger trigger) {
        UUID runId = trigger == Trigger.CRON
                ? UUID.nameUUIDFromBytes((name + "@" + fireTime).getBytes(StandardCharsets.UTF_8))
                : UUID.randomUUID();
        return fire(name, fireTime, trigger, runId, trigger.name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Starts run {@code runId}, recording who or what asked ({@code triggeredBy}). A run id that exists already is not
     * started again, so a caller that derives it from what triggered the run (a hook delivery) starts it once.
     */
    public Uni<FireResult> fire(String name, Instant fireTime, Trigger trigger, UUID runId, String triggeredBy) {
        Instant now = clock.instant();
        // the experiment's row is locked for the transaction: two fires of one experiment (cron and manual, or two
        // replicas) take turns, so Forbid's count-then-insert sees the other's run
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(name,
                LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> new ExperimentNotFoundException(name))
                .chain(entity -> record(entity.experiment(), runId, fireTime, trigger, triggeredBy, now)))
                .chain(outcome -> {
                    if (outcome.start() == null) {
                        LOG.infof("experiment=%s fire at %s skipped: %s", name, fireTime, outcome.skipped());
                        return Uni.createFrom().item(FireResult.skipped(outcome.skipped()));
                    }
                    return sink.publish(outcome.start())
                            .replaceWith(FireResult.started(runId))
                            .onFailure().call(e -> markFailed(runId, "run-start could not be published: " + e.getMessage()));
                });
    }

    private record Outcome(RunStarted start, String skipped) {
    }

    private Uni<Outcome> record(Experiment experiment, UUID runId, Instant fireTime, Trigger trigger,
            String triggeredBy, Instant now) {
        // a halt-all refuses every new run until it is released
        return HaltEventEntity.inForce().chain(halt -> halt != null
                ? Uni.createFrom().item(new Outcome(null, "halt-all in force since " + halt.at + " (by " + halt.byWhom
                        + "): no new runs until it is released"))
                : recordUnhalted(experiment, runId, fireTime, trigger, triggeredBy, now));
    }

    private Uni<Outcome> recordUnhalted(Experiment experiment, UUID runId, Instant fireTime, Trigger trigger,
            String triggeredBy, Instant now) {
        var forbid = experiment.spec().schedule() == null
                || experiment.spec().schedule().concurrency() == Concurrency.FORBID;
        Uni<Long> active = forbid
                ? RunEntity.count("experiment = ?1 and status in ?2 and deadline > ?3", experiment.name(),
                        List.of(RunStatusValue.SCHEDULED, RunStatusValue.RUNNING), now.minus(config.staleRunGrace()))
                : Uni.createFrom().item(0L);
        return active.chain(count -> {
            if (count > 0) {
                return Uni.createFrom().item(new Outcome(null, "a run of " + experiment.name()
                        + " is still active and its concurrency is Forbid"));
            }
            return RunEntity.<RunEntity> findById(runId).chain(existing -> {
                if (existing != null) {
                    return Uni.createFrom().item(new Outcome(null, "fire time " + fireTime + " already ran as " + runId));
                }
                var start = new RunStarted(runId, experiment.name(), trigger, now, experiment.spec());
                var run = new RunEntity();
                run.id = runId;
                run.experiment = experiment.name();
                run.trigger = trigger;
                run.triggeredBy = triggeredBy;
                run.fireTime = fireTime;
                run.deadline = start.deadline();
                run.status = RunStatusValue.SCHEDULED;
                run.createdAt = now;
                run.updatedAt = now;
                return run.persist().replaceWith(new Outcome(start, null));
            });
        });
    }

    private Uni<Void> markFailed(UUID runId, String why) {
        return Panache.withTransaction(() -> RunEntity.<RunEntity> findById(runId).invoke(run -> {
            if (run != null && !run.status.terminal()) {
                run.status = RunStatusValue.FAILED;
                run.reason = why;
                run.updatedAt = clock.instant();
            }
        })).replaceWithVoid();
    }
}
