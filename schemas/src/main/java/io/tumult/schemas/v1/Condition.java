package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A threshold over a sliding time window of one metric: {@code aggregate(samples in window) op threshold}.
 * As an autoAbort condition it aborts the run as soon as it holds. The metric is either pushed onto
 * {@link Topics#METRICS} ({@code metric}) or a PromQL expression the guardian polls from Prometheus ({@code query});
 * exactly one of the two is given.
 *
 * @param metric metric name, as carried by {@link MetricSample#name()}; null when {@code query} is given
 * @param op comparison between the aggregated value and the threshold
 * @param threshold the value compared against
 * @param window how far back samples count
 * @param aggregate how the window's samples are combined; {@link Aggregation#AVG} when absent
 * @param query a PromQL expression evaluated by Prometheus (instant queries, polled during the run), whose value is
 *        the condition's sample; null when {@code metric} is given
 */
public record Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate,
        String query) {

    /** Prefix of the series name under which a query's values are evaluated (not a valid pushed metric name). */
    public static final String QUERY_SERIES_PREFIX = "promql:";

    public Condition {
        if ((metric == null) == (query == null)) {
            throw new IllegalArgumentException("a condition names exactly one of metric or query");
        }
        if (query != null && query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        aggregate = aggregate == null ? Aggregation.AVG : aggregate;
    }

    /** A condition on a pushed metric. */
    public Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate) {
        this(metric, op, threshold, window, aggregate, null);
    }

    /** A condition on a PromQL query. */
    public static Condition ofQuery(String query, Comparison op, double threshold, Duration window,
            Aggregation aggregate) {
        return new Condition(null, op, threshold, window, aggregate, query);
    }

    /**
     * The name of the series this condition's samples carry: its metric, or {@value #QUERY_SERIES_PREFIX} followed
     * by its query (the guardian's Prometheus bridge offers a query's values under this name).
     */
    @JsonIgnore
    public String series() {
        return query == null ? metric : QUERY_SERIES_PREFIX + query;
    }

    /** Whether an aggregated value satisfies this condition. */
    public boolean holdsFor(double value) {
        return op.test(value, threshold);
    }

    /**
     * Readable form for logs and timelines, for example {@code avg(http_error_rate[30s]) > 0.01}, or
     * {@code avg(query(sum(rate(errors_total[1m])))[30s]) > 0.01}.
     */
    public String describe() {
        String what = query == null ? metric : "query(" + query + ")";
        return aggregate.wireName() + "(" + what + "[" + DurationText.format(window) + "]) " + op.symbol() + " "
                + threshold;
    }
}
