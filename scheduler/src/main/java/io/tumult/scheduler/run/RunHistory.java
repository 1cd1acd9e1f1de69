package io.tumult.scheduler.run;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Trigger;

/** Records what executors report about runs, once per step, and reads runs back with their history. */
@ApplicationScoped
public class RunHistory {

    private static final Logger LOG = Logger.getLogger(RunHistory.class);

    /** The step a verdict after the revert is recorded as. */
    public static final String VERDICT_PHASE = "verdict";
    /** Fails the runs whose verdict is overdue and records the missing verdict as their step, in one statement. */
    private static final String FAIL_OVERDUE = "with failed as (update run set status = 'FAILED', reason_kind = :kind,"
            + " reason = 'no guardian verdict on the steady state within ' || (verdict_wait_ms / 1000) || ' s of the"
            + " revert', updated_at = :now where status = 'RUNNING' and reverted_at is not null"
            + " and reverted_at + verdict_wait_ms * interval '1 millisecond' < :now returning id, reason)"
            + " insert into run_event (run_id, phase, at, executor, message, recorded_at)"
            + " select id, '" + VERDICT_PHASE + "', :now, 'scheduler', reason, :now from failed on conflict do nothing";

    private final Clock clock = Clock.systemUTC();

    /** A run with its steps, oldest first. */
    public record RunRecord(RunEntity run, List<RunEventEntity> steps) {
    }

    /**
     * Filters of a run query; null means any.
     *
     * @param from fire time at or after
     * @param to fire time before
     */
    public record RunQuery(String experiment, RunStatusValue status, Trigger trigger, Instant from, Instant to,
            int page, int size) {
    }

    /** One page of a query and how many runs match in all. */
    public record RunPageResult(List<RunEntity> runs, long total) {
    }

    /** Records a step; a duplicate is ignored, a final status is never left again. */
    public Uni<Void> record(RunStatus status) {
        String phase = status.phase().name().toLowerCase(Locale.ROOT);
        String detail = status.abortReason() == null ? null : json(status.abortReason());
        return recordStep(status.runId(), phase, "status " + phase, status.at(), status.executor(), status.message(),
                detail, (run, now) -> {
                    if (run.status.terminal()) {
                        return;
                    }
                    run.updatedAt = now;
                    if (status.phase() == RunPhase.REVERTED && run.verdictWaitMillis != null) {
                        // completed: it passes only once the guardian judged its steady state back after the revert
                        run.status = RunStatusValue.RUNNING;
                        run.revertedAt = now;
                        if (run.earlyVerdict != null) {
                            judge(run, TumultJson.decode(EventType.STEADY_STATE_VERDICT,
                                    run.earlyVerdict.getBytes(StandardCharsets.UTF_8)), now);
                        }
                        return;
                    }
                    run.status = RunStatusValue.of(status.phase());
                    var abort = status.abortReason();
                    if (abort != null) {
                        run.abortReason = json(abort);
                        run.reasonKind = wireName(abort.kind());
                        run.reason = abort.message();
                        if (run.abortedBy == null) {
                            run.abortedBy = abortedBy(abort.kind());
                        }
                    } else if (status.phase().terminal()) {
                        run.reason = status.message();
                        run.reasonKind = status.reason() == null ? null : wireName(status.reason());
                    }
                });
    }

    /**
     * Records a guardian's verdict on a run's steady state after its revert, as a step ({@value #VERDICT_PHASE}), and
     * ends the run that waits for it: PASSED when it held, FAILED ({@code steady-state-not-restored}) when it did not.
     * One read before the revert is kept until the revert is read. Verdicts before injection are the executors'
     * business and ignored here, as are repeats (the first counts) and verdicts of runs this scheduler did not start.
     */
    public Uni<Void> judged(SteadyStateVerdict verdict) {
        if (!verdict.afterRevert()) {
            return Uni.createFrom().voidItem();
        }
        return recordStep(verdict.runId(), VERDICT_PHASE, "steady-state verdict", verdict.decidedAt(),
                verdict.source(), verdict.message(), null, (run, now) -> {
                    if (run.status.terminal()) {
                        return;
                    }
                    if (run.revertedAt == null) {
                        run.earlyVerdict = json(verdict);
                    } else {
                        judge(run, verdict, now);
                    }
                });
    }

    /**
     * In one transaction, with the run's row locked (a revert and its verdict, read by different consumers, each
     * decide from what the other wrote): records its step {@code phase} unless it was already, and lets
     * {@code change} update the run, given the time it is recorded. A run this scheduler did not start is ignored.
     */
    private Uni<Void> recordStep(UUID runId, String phase, String what, Instant at, String by, String message,
            String detail, BiConsumer<RunEntity, Instant> change) {
        return Panache.withTransaction(() -> RunEntity.<RunEntity> findById(runId, LockModeType.PESSIMISTIC_WRITE)
                .chain(run -> {
                    if (run == null) {
                        LOG.warnf("runId=%s %s for a run this scheduler did not start: ignored", runId, what);
                        return Uni.createFrom().voidItem();
                    }
                    return RunEventEntity.count("runId = ?1 and phase = ?2", runId, phase).chain(seen -> {
                        if (seen > 0) {
                            return Uni.createFrom().voidItem();
                        }
                        var event = new RunEventEntity();
                        event.runId = runId;
                        event.phase = phase;
                        event.at = at;
                        event.executor = by;
                        event.message = message;
                        event.detail = detail;
                        event.recordedAt = clock.instant();
                        change.accept(run, event.recordedAt);
                        return event.persist().replaceWithVoid();
                    });
                }));
    }

    /** Ends a run on its verdict after the revert. */
    private static void judge(RunEntity run, SteadyStateVerdict verdict, Instant now) {
        run.status = verdict.held() ? RunStatusValue.PASSED : RunStatusValue.FAILED;
        run.reason = verdict.message();
        run.reasonKind = verdict.held() ? null : wireName(StatusReason.STEADY_STATE_NOT_RESTORED);
        run.updatedAt = now;
    }

    /**
     * Fails every run whose verdict after its revert is overdue (its {@code verdictWaitMillis} since the revert was
     * read): with no guardian's word, the steady state is not shown to have come back; the step records it (a verdict
     * read later is then a repeat). Idempotent across replicas.
     *
     * @return how many runs it failed
     */
    public Uni<Integer> failOverdueVerdicts() {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(FAIL_OVERDUE)
                .setParameter("now", now)
                .setParameter("kind", wireName(StatusReason.STEADY_STATE_NOT_RESTORED))
                .executeUpdate()));
    }

    /** Who asked for an abort that did not come through this scheduler, as far as its kind tells. */
    private static String abortedBy(AbortKind kind) {
        return switch (kind) {
            case AUTO_ABORT, NO_DATA -> "guardian";
            case ALERT -> "alert";
            case BLACKOUT -> "scheduler (blackout window)";
            case PEER_FAILURE -> "executor (another node's share failed)";
            case MANUAL -> "manual (not through this scheduler)";
        };
    }

    /** A run with its history. */
    public Uni<RunRecord> find(UUID runId) {
        return Panache.withSession(() -> RunEntity.<RunEntity> findById(runId).chain(run -> run == null
                ? Uni.createFrom().<RunRecord> nullItem()
                : RunEventEntity.<RunEventEntity> list("runId = ?1 order by at, id", runId)
                        .map(events -> new RunRecord(run, events))));
    }

    /** The runs of one experiment, newest first, without their history. */
    public Uni<List<RunEntity>> ofExperiment(String name) {
        return Panache.withSession(() -> RunEntity.<RunEntity> list("experiment = ?1 order by fireTime desc", name));
    }

    /** Runs matching every given filter, newest fire time first, one page of them. */
    public Uni<RunPageResult> query(RunQuery q) {
        var where = new StringBuilder("1 = 1");
        var params = new Parameters();
        if (q.experiment() != null) {
            where.append(" and experiment = :experiment");
            params.and("experiment", q.experiment());
        }
        if (q.status() != null) {
            where.append(" and status = :status");
            params.and("status", q.status());
        }
        if (q.trigger() != null) {
            where.append(" and trigger = :trigger");
            params.and("trigger", q.trigger());
        }
        if (q.from() != null) {
            where.append(" and fireTime >= :from");
            params.and("from", q.from());
        }
        if (q.to() != null) {
            where.append(" and fireTime < :to");
            params.and("to", q.to());
        }
        String query = where.toString();
        return Panache.withSession(() -> RunEntity.<RunEntity> find(query, Sort.descending("fireTime", "id"), params)
                .page(Page.of(q.page(), q.size())).list()
                .chain(runs -> RunEntity.count(query, params).map(total -> new RunPageResult(runs, total))));
    }

    /** An enum's name on the wire ({@code auto-abort}, {@code blast-radius}). */
    static String wireName(Enum<?> value) {
        return TumultJson.toTree(value).asText();
    }

    static String json(Object value) {
        return new String(TumultJson.encode(value), StandardCharsets.UTF_8);
    }
}
