package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How many of the matching targets a run picks. */
public enum SelectionMode {
    /** One target, chosen at random. */
    @JsonProperty("one")
    ONE,
    /** Every matching target (still capped by the blast radius). */
    @JsonProperty("all")
    ALL,
    /** Exactly {@code value} targets. */
    @JsonProperty("fixed")
    FIXED,
    /** {@code value} percent of the targets, rounded down, at least one. */
    @JsonProperty("percent")
    PERCENT,
    /**
     * A random number of targets between one and {@code value} percent of them (rounded down, at least one), then
     * that many at random: Chaos Monkey's pick.
     */
    @JsonProperty("random-max-percent")
    RANDOM_MAX_PERCENT;

    /** Refuses a {@code value} this mode cannot use. */
    void checkValue(Integer value) {
        switch (this) {
            case FIXED -> {
                if (value == null || value < 1) {
                    throw new IllegalArgumentException("mode fixed needs a value of at least 1: " + value);
                }
            }
            case PERCENT, RANDOM_MAX_PERCENT -> {
                if (value == null || value < 1 || value > 100) {
                    throw new IllegalArgumentException("mode " + name().toLowerCase().replace('_', '-')
                            + " needs a value from 1 to 100: " + value);
                }
            }
            default -> {
            }
        }
    }
}
