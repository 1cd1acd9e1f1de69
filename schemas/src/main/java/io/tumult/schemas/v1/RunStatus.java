package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A step in a run's life as an executor saw it: published on {@link Topics#RUN_STATUS}, keyed by run id.
 * The scheduler records it as the run's history; the guardian uses it to know which runs are active.
 *
 * @param runId the run
 * @param experiment name of the experiment
 * @param phase the step reached
 * @param at when the step happened on the executor
 * @param executor id of the executor instance
 * @param message one readable sentence about the step
 * @param targets the targets acted on (for example {@code network-namespace/shop-1}); empty when none
 * @param abortReason the abort that caused the step; null unless {@code phase} is {@link RunPhase#ABORTED}
 * @param reason why the run was refused, failed or ended so, for machines; optional (null when there is nothing to
 *        add to the phase, and absent from statuses of executors that predate it)
 */
public record RunStatus(
        UUID runId,
        String experiment,
        RunPhase phase,
        Instant at,
        String executor,
        String message,
        List<String> targets,
        AbortReason abortReason,
        StatusReason reason) {

    public RunStatus {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(executor, "executor");
        message = message == null ? "" : message;
        targets = targets == null ? List.of() : List.copyOf(targets);
    }

    /** A status without a machine-readable {@link #reason}. */
    public RunStatus(UUID runId, String experiment, RunPhase phase, Instant at, String executor, String message,
            List<String> targets, AbortReason abortReason) {
        this(runId, experiment, phase, at, executor, message, targets, abortReason, null);
    }
}
