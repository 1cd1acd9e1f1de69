package io.tumult.schemas.v1;

/**
 * Deletes the target pods. One-shot: their controller recreates them, so there is nothing to revert.
 *
 * @param gracePeriodSeconds grace period handed to the delete call; 0 kills at once
 */
public record PodKill(int gracePeriodSeconds) implements AttackSpec {

    public static final String KIND = "pod-kill";

    public PodKill {
        if (gracePeriodSeconds < 0) {
            throw new IllegalArgumentException("gracePeriodSeconds must not be negative: " + gracePeriodSeconds);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
