package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;

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
 * @param holdFor how long (in sample time) the condition must hold without a break before it trips; null: at once
 * @param minSamples the least number of samples in the window for the condition to be judged; null: 1
 * @param noData what the metric falling silent means; null: {@link NoData#BREACH}
 * @param noDataAfter how long the metric may be silent before that counts as no data; null: the evaluator's default
 * @param query a PromQL expression evaluated by Prometheus (instant queries, polled during the run), whose value is
 *        the condition's sample; null when {@code metric} is given
 */
public record Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate,
        @JsonProperty("for") Duration holdFor, Integer minSamples, NoData noData, Duration noDataAfter,
        String query) {

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
        if (holdFor != null && (holdFor.isNegative() || holdFor.isZero())) {
            throw new IllegalArgumentException("for must be positive: " + holdFor);
        }
        if (minSamples != null && minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be at least 1: " + minSamples);
        }
        if (noDataAfter != null && (noDataAfter.isNegative() || noDataAfter.isZero())) {
            throw new IllegalArgumentException("noDataAfter must be positive: " + noDataAfter);
        }
    }

    /** A condition on a pushed metric, with every option. */
    public Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate,
            Duration holdFor, Integer minSamples, NoData noData, Duration noDataAfter) {
        this(metric, op, threshold, window, aggregate, holdFor, minSamples, noData, noDataAfter, null);
    }

    /** A condition on a pushed metric, judged at once, on one sample or more, with no data a breach. */
    public Condition(String metric, Comparison op, double threshold, Duration window, Aggregation aggregate) {
        this(metric, op, threshold, window, aggregate, null, null, null, null, null);
    }

    /** A condition on a PromQL query, judged at once, on one value or more, with no data a breach. */
    public static Condition ofQuery(String query, Comparison op, double threshold, Duration window,
            Aggregation aggregate) {
        return new Condition(null, op, threshold, window, aggregate, null, null, null, null, query);
    }

    /** {@link #holdFor()}, zero when absent. */
    public Duration holdForOrZero() {
        return holdFor == null ? Duration.ZERO : holdFor;
    }

    /** {@link #minSamples()}, 1 when absent. */
    public int minSamplesOrOne() {
        return minSamples == null ? 1 : minSamples;
    }

    /** Whether a silent metric trips this condition (the default). */
    public boolean breachesOnNoData() {
        return noData != NoData.IGNORE;
    }

    /** Whether an aggregated value satisfies this condition. */
    public boolean holdsFor(double value) {
        return op.test(value, threshold);
    }

    /**
     * Readable form for logs and timelines, for example {@code avg(http_error_rate[30s]) > 0.01}, or
     * {@code avg(query(sum(rate(errors_total[1m])))[30s]) > 0.01 for 10s}.
     */
    public String describe() {
        String what = query == null ? metric : "query(" + query + ")";
        return aggregate.wireName() + "(" + what + "[" + DurationText.format(window) + "]) " + op.symbol() + " "
                + threshold + (holdFor == null ? "" : " for " + DurationText.format(holdFor));
    }
}
