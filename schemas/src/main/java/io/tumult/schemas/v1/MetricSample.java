package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One observation of a metric: published on {@link Topics#METRICS} by applications, probes and the Prometheus
 * bridge, keyed by run id when it concerns one run, else by metric name.
 *
 * @param name metric name, matched against {@link Condition#metric()}
 * @param value the observed value
 * @param at when it was observed
 * @param runId the run it concerns; null for a global series that applies to every active run
 * @param labels free-form labels of the series
 * @param histogram the Prometheus histogram this sample observed, with {@code value} its count; null for a plain
 *        value
 */
public record MetricSample(String name, double value, Instant at, UUID runId, Map<String, String> labels,
        Histogram histogram) {

    public MetricSample {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(at, "at");
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("value must be a finite number: " + value);
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A plain value, without a histogram. */
    public MetricSample(String name, double value, Instant at, UUID runId, Map<String, String> labels) {
        this(name, value, at, runId, labels, null);
    }
}
