package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * Why a run was aborted. For an autoAbort breach it names the condition (which carries the threshold) and the
 * value observed when it tripped.
 *
 * @param kind what kind of decision this was
 * @param message one readable sentence
 * @param condition the autoAbort condition that held; null unless {@code kind} is {@link AbortKind#AUTO_ABORT}
 * @param observed the aggregated value that made the condition hold; null when there is none
 */
public record AbortReason(AbortKind kind, String message, Condition condition, Double observed) {

    public AbortReason {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }
}
