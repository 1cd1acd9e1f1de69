package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** When a {@link SteadyStateVerdict} judged a run's steady state. */
public enum SteadyStateStage {
    /** Before the fault went in: a verdict that it did not hold vetoes the run. */
    @JsonProperty("before-injection")
    BEFORE_INJECTION,
    /**
     * After the fault was reverted at its deadline: whether the system came back to its steady state. The scheduler
     * records a run as passed only on such a verdict that it held.
     */
    @JsonProperty("after-revert")
    AFTER_REVERT
}
