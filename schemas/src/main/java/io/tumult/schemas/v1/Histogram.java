package io.tumult.schemas.v1;

import java.util.List;
import java.util.Objects;

/**
 * A Prometheus histogram at one instant, carried by a {@link MetricSample}: cumulative bucket counts, so that
 * quantile conditions can interpolate over the increase of the buckets across their window, as PromQL's
 * {@code histogram_quantile(q, increase(..._bucket[w]))} does.
 *
 * @param count observations in total (the {@code +Inf} bucket)
 * @param sum sum of the observations; null when not known
 * @param buckets the finite buckets, cumulative, in any order
 */
public record Histogram(double count, Double sum, List<Bucket> buckets) {

    public Histogram {
        Objects.requireNonNull(buckets, "buckets");
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("a histogram needs at least one bucket");
        }
        if (!Double.isFinite(count) || count < 0) {
            throw new IllegalArgumentException("histogram count must be a finite number >= 0: " + count);
        }
        buckets = List.copyOf(buckets);
    }

    /**
     * One cumulative bucket.
     *
     * @param le upper bound, finite
     * @param count observations less than or equal to {@code le}
     */
    public record Bucket(double le, double count) {

        public Bucket {
            if (!Double.isFinite(le)) {
                throw new IllegalArgumentException("bucket bound le must be finite: " + le);
            }
            if (!Double.isFinite(count) || count < 0) {
                throw new IllegalArgumentException("bucket count must be a finite number >= 0: " + count);
            }
        }
    }
}
