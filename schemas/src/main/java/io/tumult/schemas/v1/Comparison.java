package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Comparison operators of a {@link Condition}. */
public enum Comparison {
    @JsonProperty("<")
    LT("<"),
    @JsonProperty("<=")
    LE("<="),
    @JsonProperty(">")
    GT(">"),
    @JsonProperty(">=")
    GE(">="),
    @JsonProperty("==")
    EQ("=="),
    @JsonProperty("!=")
    NE("!=");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    /** The operator as written in documents. */
    public String symbol() {
        return symbol;
    }

    /** {@code value op threshold}. */
    public boolean test(double value, double threshold) {
        return switch (this) {
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case GT -> value > threshold;
            case GE -> value >= threshold;
            case EQ -> value == threshold;
            case NE -> value != threshold;
        };
    }
}
