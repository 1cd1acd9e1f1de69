package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Overlap policy of a {@link Schedule}, as in a Kubernetes CronJob. */
public enum Concurrency {
    /** Skip a fire time while a run of the same experiment is active. */
    @JsonProperty("Forbid")
    FORBID,
    /** Start a new run even if one is active. */
    @JsonProperty("Allow")
    ALLOW,
    /** Abort the active runs of the same experiment (through the abort topic), then start the new one. */
    @JsonProperty("Replace")
    REPLACE
}
