package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the samples inside a {@link Condition}'s window are combined into one value. */
public enum Aggregation {
    @JsonProperty("avg")
    AVG,
    @JsonProperty("max")
    MAX,
    @JsonProperty("min")
    MIN,
    /** The newest sample alone. */
    @JsonProperty("last")
    LAST;

    /** The name as written in documents. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
