package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A guardian's verdict on a run's steady state before its fault goes in, published on {@link Topics#RUN_VERDICTS}
 * keyed by run id. An executor injects a run that has {@code steadyState} conditions only once a verdict says they
 * held; a verdict that they did not (or none in time) vetoes the run: it is refused and nothing is touched.
 *
 * @param runId the run judged
 * @param experiment the run's experiment
 * @param held whether every steady-state condition held over its window
 * @param decidedAt when the guardian decided
 * @param source who decided, {@code guardian/<id>}
 * @param message what was judged, in words: the condition that did not hold and what was observed, or that all held
 * @param condition the condition that did not hold; null when they all held
 * @param observed the value it was judged on; null when they all held or there was no data
 */
public record SteadyStateVerdict(UUID runId, String experiment, boolean held, Instant decidedAt, String source,
        String message, Condition condition, Double observed) {

    public SteadyStateVerdict {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
    }
}
