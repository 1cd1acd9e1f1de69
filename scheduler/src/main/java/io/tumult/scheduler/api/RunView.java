package io.tumult.scheduler.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tumult.scheduler.run.RunStatusValue;
import io.tumult.schemas.v1.Condition;

/**
 * A run as the scheduler recorded it.
 *
 * @param runId the run
 * @param experiment its experiment's name
 * @param trigger what kind of trigger started it: cron, manual or webhook
 * @param triggeredBy who or what: {@code cron}, {@code user:<name>}, {@code hook:<source>/<delivery id>}
 * @param fireTime the instant it was due
 * @param deadline when its fault must be gone
 * @param status SCHEDULED, RUNNING, then PASSED, ABORTED, REFUSED or FAILED
 * @param reason why it ended so; absent while it runs and when there is nothing to say
 * @param abortedBy who or what asked for its abort, if anyone did
 * @param abortRequestedAt when an abort was asked for through this scheduler
 * @param history the executors' reports and the verdict after the revert, oldest first; only on a single run
 */
public record RunView(UUID runId, String experiment, String trigger, String triggeredBy, Instant fireTime,
        Instant deadline, RunStatusValue status, Reason reason, String abortedBy, Instant abortRequestedAt,
        Instant updatedAt, List<Step> history) {

    /**
     * Why a run ended as it did.
     *
     * @param kind the reason in a word: an abort's kind (auto-abort, no-data, manual, alert, blackout, peer-failure),
     *        an executor's status reason (blast-radius, halted, ...), or steady-state-not-restored
     * @param message one sentence
     * @param condition the autoAbort condition that held, for an auto-abort
     * @param observed the value that made it hold
     */
    public record Reason(String kind, String message, Condition condition, Double observed) {
    }

    /**
     * One step: an executor's report, or ({@code phase} verdict, {@code executor} the guardian) the guardian's verdict
     * on the steady state after the revert.
     */
    public record Step(String phase, Instant at, String executor, String message, Instant recordedAt) {
    }
}
