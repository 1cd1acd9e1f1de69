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
    PERCENT
}
