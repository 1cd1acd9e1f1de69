package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Objects;

/**
 * A threshold over a sliding time window of one metric: {@code aggregate(samples in window) op threshold}.
 * As an autoAbort condition it aborts the run as soon as it holds.
 *
 * @param metric metric name, as carried by {@link MetricSample#name()}
 * @param op comparison between the aggregated value and the threshold
 * @param threshold the value compared against
 * @param window how far back samples count
 * @param aggregate how the window's samples are combined; {@link Aggregation#AVG} when absent
 */
public record Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate) {

    public Condition {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        aggregate = aggregate == null ? Aggregation.AVG : aggregate;
    }

    /** Whether an aggregated value satisfies this condition. */
    public boolean holdsFor(double value) {
        return op.test(value, threshold);
    }

    /** Readable form for logs and timelines, for example {@code avg(http_error_rate[30s]) > 0.01}. */
    public String describe() {
        return aggregate.wireName() + "(" + metric + "[" + DurationText.format(window) + "]) " + op.symbol() + " "
                + threshold;
    }
}
