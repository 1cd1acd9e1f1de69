package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Stop a run now and revert its faults: published on {@link Topics#RUN_ABORT}, keyed by run id, or by
 * {@link #ALL_RUNS} to halt every run. An abort that arrives before its run's start is remembered, so the late
 * start is refused.
 *
 * @param runId the run to abort, a UUID, or {@link #ALL_RUNS}
 * @param source who asked, for example {@code guardian/<id>}, {@code scheduler}, {@code grafana}
 * @param issuedAt when the abort was decided
 * @param reason why
 */
public record RunAborted(String runId, String source, Instant issuedAt, AbortReason reason) {

    /** Run id of a halt-all abort. */
    public static final String ALL_RUNS = "*";

    public RunAborted {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(reason, "reason");
        if (!ALL_RUNS.equals(runId)) {
            UUID.fromString(runId); // throws IllegalArgumentException naming the value
        }
    }

    /** Whether this aborts every run rather than one. */
    public boolean haltsAll() {
        return ALL_RUNS.equals(runId);
    }
}
