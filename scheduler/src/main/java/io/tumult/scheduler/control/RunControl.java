package io.tumult.scheduler.control;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.control.ControlException.Reason;
import io.tumult.scheduler.outbox.Outbox;
import io.tumult.scheduler.outbox.OutboxEntity;
import io.tumult.scheduler.outbox.OutboxRelay;
import io.tumult.scheduler.run.RunEntity;
import io.tumult.scheduler.run.RunStatusValue;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;

/**
 * Stops runs: one, or all of them (halt-all) until released. Each request is recorded in PostgreSQL (who asked, when)
 * together with its event in the outbox, in one transaction, and the event is published on the abort topic right
 * after the commit, where every executor acts on it; the executors' reports then end the runs in the history. A
 * request recorded is never left unpublished: if its replica dies first, or the broker does not take the event, a
 * relay takes it over ({@code tumult.scheduler.outbox.takeover-after}). A halt also refuses new runs here
 * ({@code RunLauncher}) until it is released.
 */
@ApplicationScoped
public class RunControl {

    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Clock clock = Clock.systemUTC();

    RunControl(Outbox outbox, OutboxRelay relay) {
        this.outbox = outbox;
        this.relay = relay;
    }

    /** Aborts one run on behalf of {@code actor}; fails NOT_FOUND for an unknown run, CONFLICT for one that ended. */
    public Uni<RunEntity> abort(UUID runId, String actor, String why) {
        Instant now = clock.instant();
        String message = why == null || why.isBlank() ? "aborted by " + actor : why;
        var abort = new RunAborted(runId.toString(), actor, now, new AbortReason(AbortKind.MANUAL, message, null, null));
        var row = new OutboxEntity[1];
        return Panache
                .withTransaction(() -> RunEntity.<RunEntity> findById(runId, LockModeType.PESSIMISTIC_WRITE).chain(run -> {
                    if (run == null) {
                        throw new ControlException(Reason.NOT_FOUND, "no run " + runId);
                    }
                    if (run.status.terminal()) {
                        throw new ControlException(Reason.CONFLICT, "run " + runId + " has ended: " + run.status);
                    }
                    if (run.revertedAt != null) {
                        throw new ControlException(Reason.CONFLICT, "run " + runId + " has ended its fault (reverted at "
                                + run.revertedAt + "); it waits for the guardian's verdict on its steady state");
                    }
                    run.abortedBy = actor;
                    run.abortRequestedAt = now;
                    run.updatedAt = now;
                    return outbox.add(EventType.RUN_ABORTED, abort.runId(), abort, null, now).invoke(added -> row[0] = added)
                            .replaceWith(run);
                })).call(() -> relay.publish(List.of(row[0])));
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
        var event = new RunAborted(RunAborted.ALL_RUNS, actor, now, new AbortReason(AbortKind.MANUAL, message, null,
                null));
        var row = new OutboxEntity[1];
        return Panache.withTransaction(() -> halt.<HaltEventEntity> persist()
                .call(() -> RunEntity.update("abortedBy = ?1, abortRequestedAt = ?2 where abortedBy is null"
                        + " and status in ?3", "halt-all by " + actor, now,
                        List.of(RunStatusValue.SCHEDULED, RunStatusValue.RUNNING)))
                .call(() -> outbox.add(EventType.RUN_ABORTED, RunAborted.ALL_RUNS, event, null, now)
                        .invoke(added -> row[0] = added)))
                .call(() -> relay.publish(List.of(row[0])));
    }

    /** Ends the halt in force; fails CONFLICT when there is none. */
    public Uni<HaltEventEntity> release(String actor, String why) {
        Instant now = clock.instant();
        var event = new HaltReleased(actor, now, why);
        var row = new OutboxEntity[1];
        return Panache.withTransaction(() -> HaltEventEntity.inForce().chain(halt -> {
            if (halt == null) {
                throw new ControlException(Reason.CONFLICT, "no halt is in force");
            }
            var release = new HaltEventEntity();
            release.kind = HaltEventEntity.Kind.RELEASE;
            release.byWhom = actor;
            release.reason = why;
            release.at = now;
            return release.<HaltEventEntity> persist()
                    .call(() -> outbox.add(EventType.HALT_RELEASED, HaltReleased.KEY, event, null, now)
                            .invoke(added -> row[0] = added));
        })).call(() -> relay.publish(List.of(row[0])));
    }
}
