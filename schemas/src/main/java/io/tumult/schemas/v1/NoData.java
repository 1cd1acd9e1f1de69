package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a {@link Condition}'s metric falling silent means. */
public enum NoData {
    /** No data is not healthy: a silent metric trips the condition (the default). */
    @JsonProperty("breach")
    BREACH,
    /** Silence is not judged; the condition trips only on samples. */
    @JsonProperty("ignore")
    IGNORE
}
