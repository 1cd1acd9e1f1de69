package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;

/**
 * Why a run was aborted. For an autoAbort breach it names the condition (which carries the threshold) and the
 * value observed when it tripped.
 *
 * @param kind what kind of decision this was
 * @param message one readable sentence
 * @param condition the autoAbort condition that held; null unless {@code kind} is {@link AbortKind#AUTO_ABORT}
 * @param observed the aggregated value that made the condition hold; null when there is none
 * @param samples how many samples the condition's window held when it tripped; null when not a condition's trip
 * @param firstBreachAt sample time from which the condition held without a break; null when not known
 * @param breachAt sample time of the sample that tripped the condition, or the instant silence was judged
 * @param guardianLatencyMs the guardian's own time from receiving the deciding sample (or judging silence) to
 *        handing this abort to its producer, in milliseconds; null when not published by a guardian
 */
public record AbortReason(AbortKind kind, String message, Condition condition, Double observed, Integer samples,
        Instant firstBreachAt, Instant breachAt, Double guardianLatencyMs) {

    public AbortReason {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** A reason without the evaluation's details. */
    public AbortReason(AbortKind kind, String message, Condition condition, Double observed) {
        this(kind, message, condition, observed, null, null, null, null);
    }

    /** This reason with the guardian's breach-to-publish latency filled in. */
    public AbortReason withGuardianLatencyMs(double latencyMs) {
        return new AbortReason(kind, message, condition, observed, samples, firstBreachAt, breachAt, latencyMs);
    }
}
