package io.tumult.scheduler.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.control.ControlException.Reason;
import io.tumult.scheduler.run.RunEntity;
import io.tumult.scheduler.run.RunStatusValue;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;

/**
 * Stops runs: one, or all of them (halt-all) until released. Each request is recorded in PostgreSQL (who asked, when)
 * before it is published on the abort topic, where every executor acts on it; the executors' reports then end the runs
 * in the history. A halt also refuses new runs here ({@code RunLauncher}) until it is released.
 */
@ApplicationScoped
public class RunControl {

    private static final Logger LOG = Logger.getLogger(RunControl.class);
    private static final Duration RETRY_FIRST = Duration.ofMillis(100);
    private static final Duration RETRY_MAX = Duration.ofSeconds(1);
    private static final int RETRIES = 5;

    private final AbortSink sink;
    private final Clock clock = Clock.systemUTC();

    RunControl(AbortSink sink) {
        this.sink = sink;
    }

    /** Aborts one run on behalf of {@code actor}; fails NOT_FOUND for an unknown run, CONFLICT for one that ended. */
    public Uni<RunEntity> abort(UUID runId, String actor, String why) {
        Instant now = clock.instant();
        String message = why == null || why.isBlank() ? "aborted by " + actor : why;
        return Panache.withTransaction(() -> RunEntity.<RunEntity> findById(runId).map(run -> {
            if (run == null) {
                throw new ControlException(Reason.NOT_FOUND, "no run " + runId);
            }
            if (run.status.terminal()) {
                throw new ControlException(Reason.CONFLICT, "run " + runId + " has ended: " + run.status);
            }
            run.abortedBy = actor;
            run.abortRequestedAt = now;
            run.updatedAt = now;
            return run;
        })).call(run -> publish(sink.publish(new RunAborted(runId.toString(), actor, now,
                new AbortReason(AbortKind.MANUAL, message, null, null))), "abort of " + runId));
    }

    /** The halt in force, or null. */
    public Uni<HaltEventEntity> haltInForce() {
        return Panache.withSession(HaltEventEntity::inForce);
    }

    /**
     * Halts every run and refuses new ones until released. Recorded, then published keyed {@code *}; halting while
     * halted records and publishes again (executors take it as the same halt).
     */
    public Uni<HaltEventEntity> halt(String actor, String why) {
        Instant now = clock.instant();
        String message = why == null || why.isBlank() ? "halt-all by " + actor : why;
        var halt = new HaltEventEntity();
        halt.kind = HaltEventEntity.Kind.HALT;
        halt.byWhom = actor;
        halt.reason = message;
        halt.at = now;
        return Panache.withTransaction(() -> halt.<HaltEventEntity> persist()
                .call(() -> RunEntity.update("abortedBy = ?1, abortRequestedAt = ?2 where abortedBy is null"
                        + " and status in ?3", "halt-all by " + actor, now,
                        List.of(RunStatusValue.SCHEDULED, RunStatusValue.RUNNING))))
                .call(() -> publish(sink.publish(new RunAborted(RunAborted.ALL_RUNS, actor, now,
                        new AbortReason(AbortKind.MANUAL, message, null, null))), "halt-all"));
    }

    /** Ends the halt in force; fails CONFLICT when there is none. */
    public Uni<HaltEventEntity> release(String actor, String why) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> HaltEventEntity.inForce().chain(halt -> {
            if (halt == null) {
                throw new ControlException(Reason.CONFLICT, "no halt is in force");
            }
            var release = new HaltEventEntity();
            release.kind = HaltEventEntity.Kind.RELEASE;
            release.byWhom = actor;
            release.reason = why;
            release.at = now;
            return release.<HaltEventEntity> persist();
        })).call(release -> publish(sink.publish(new HaltReleased(actor, now, why)), "halt release"));
    }

    /** An abort must land: retried briefly; if the broker still will not take it, the caller hears so (503). */
    private static Uni<Void> publish(Uni<Void> send, String what) {
        return send.onFailure().retry().withBackOff(RETRY_FIRST, RETRY_MAX).atMost(RETRIES)
                .onFailure().transform(e -> {
                    LOG.errorf("%s not published: %s", what, e.getMessage());
                    return new ControlException(Reason.UNAVAILABLE, what + " is recorded but could not be published on"
                            + " the abort topic (" + e.getMessage() + "); ask again");
                });
    }
}
