package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Asks an executor which targets an experiment would hit, touching nothing. Published by the scheduler on
 * {@link Topics#DRY_RUN_REQUESTS} keyed by the request id; one executor (group {@code tumult-executor-dry-run}) answers
 * with a {@link DryRunResult} of the same request id. Selection modes pick by run id: the request id stands in for
 * it, so a dry run shows one plausible pick, not the one a later run will make.
 *
 * @param requestId identifies the request and its answer
 * @param experiment the experiment's name
 * @param issuedAt when the request was made
 * @param spec the experiment's spec, as a run-start would carry it
 */
public record DryRunRequested(UUID requestId, String experiment, Instant issuedAt, ExperimentSpec spec) {

    public DryRunRequested {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(spec, "spec");
    }
}
