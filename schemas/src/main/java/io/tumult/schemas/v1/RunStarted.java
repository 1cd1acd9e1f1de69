package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A run of an experiment begins: published by the scheduler on {@link Topics#RUN_START}, keyed by run id.
 * Executors carry it out; the guardian learns the run's autoAbort conditions from it. Consumers must treat it
 * idempotently: one run id is one run, however often it is delivered.
 *
 * @param runId unique per run; for a scheduled fire it is derived from the experiment and the fire time
 * @param experiment name of the experiment
 * @param trigger what started the run
 * @param issuedAt when the scheduler issued the start; executors refuse a start whose whole duration has
 *        already passed
 * @param spec the experiment's spec as it was when the run started
 */
public record RunStarted(UUID runId, String experiment, Trigger trigger, Instant issuedAt, ExperimentSpec spec) {

    public RunStarted {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(spec, "spec");
    }

    /** The instant by which the fault must be gone, whatever happens. */
    public Instant deadline() {
        return issuedAt.plus(spec.duration());
    }
}
