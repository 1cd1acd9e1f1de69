package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A guardian's verdict on a run's steady state, published on {@link Topics#RUN_VERDICTS} keyed by run id. A run with
 * {@code steadyState} conditions is judged twice:
 * <ul>
 * <li>{@link SteadyStateStage#BEFORE_INJECTION before injection}: an executor injects the run only once a verdict says
 * they held; a verdict that they did not (or none in time) vetoes the run: it is refused and nothing is touched;</li>
 * <li>{@link SteadyStateStage#AFTER_REVERT after the revert} of a run that completed: the scheduler records the run as
 * passed only when they held again, and as failed when they did not (or no verdict came in time).</li>
 * </ul>
 *
 * @param runId the run judged
 * @param experiment the run's experiment
 * @param held whether every steady-state condition held over its window
 * @param decidedAt when the guardian decided
 * @param source who decided, {@code guardian/<id>}
 * @param message what was judged, in words: the condition that did not hold and what was observed, or that all held
 * @param condition the condition that did not hold; null when they all held
 * @param observed the value it was judged on; null when they all held or there was no data
 * @param stage when it was judged; optional, absent (read as before injection) from guardians that predate it
 */
public record SteadyStateVerdict(UUID runId, String experiment, boolean held, Instant decidedAt, String source,
        String message, Condition condition, Double observed, SteadyStateStage stage) {

    public SteadyStateVerdict {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
    }

    /** Whether it judged the steady state after the revert; a verdict without a stage was judged before injection. */
    public boolean afterRevert() {
        return stage == SteadyStateStage.AFTER_REVERT;
    }

    /** A verdict before injection. */
    public SteadyStateVerdict(UUID runId, String experiment, boolean held, Instant decidedAt, String source,
            String message, Condition condition, Double observed) {
        this(runId, experiment, held, decidedAt, source, message, condition, observed,
                SteadyStateStage.BEFORE_INJECTION);
    }
}
