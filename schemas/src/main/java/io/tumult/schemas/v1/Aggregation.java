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
    LAST,
    @JsonProperty("sum")
    SUM,
    /** How many samples the window holds. */
    @JsonProperty("count")
    COUNT,
    /** Per-second increase of a counter between the window's first and last sample, allowing for resets. */
    @JsonProperty("rate")
    RATE,
    /** Increase of a counter between the window's first and last sample, allowing for resets. */
    @JsonProperty("increase")
    INCREASE,
    @JsonProperty("p50")
    P50,
    @JsonProperty("p90")
    P90,
    @JsonProperty("p95")
    P95,
    @JsonProperty("p99")
    P99;

    /** The quantile this aggregation asks for (0.5 for p50), or NaN when it is not a quantile. */
    public double quantile() {
        return switch (this) {
            case P50 -> 0.50;
            case P90 -> 0.90;
            case P95 -> 0.95;
            case P99 -> 0.99;
            default -> Double.NaN;
        };
    }

    /** Whether this is one of the quantiles p50..p99. */
    public boolean isQuantile() {
        return !Double.isNaN(quantile());
    }

    /** The name as written in documents. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
