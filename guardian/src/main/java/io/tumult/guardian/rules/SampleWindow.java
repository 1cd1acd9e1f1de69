package io.tumult.guardian.rules;

import io.tumult.guardian.rules.HistogramQuantile.Buckets;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;

/**
 * One condition's window: its view of a {@link SampleRing} (of its own, or shared with the run's other conditions on
 * the same metric and window), judged without rescanning the samples. p50..p99 over plain values use the ring's
 * counts of samples below and at the threshold: the nearest-rank quantile {@code x[ceil(q*n)]} is above the threshold
 * exactly when fewer than {@code ceil(q*n)} samples are at or below it, so the condition is judged exactly in O(1);
 * the value itself is only computed (by sorting a copy) when it is reported. p50..p99 over histogram samples: the
 * newest and oldest histograms, interpolated as PromQL does. Not thread-safe: one owner.
 */
final class SampleWindow {

    private final SampleRing ring;
    private final Aggregation aggregation;
    private final Comparison op;
    private final double threshold;
    private final double quantile;
    /** This condition's index in the ring's threshold counts. */
    private final int counts;

    /** A window of its own. */
    SampleWindow(Condition condition) {
        this(condition, new SampleRing(condition.window().toMillis()));
    }

    /** A view of {@code ring}, which must span the condition's window and hold no sample yet. */
    SampleWindow(Condition condition, SampleRing ring) {
        if (ring.windowMillis != condition.window().toMillis()) {
            throw new IllegalArgumentException("a ring of " + ring.windowMillis + " ms for a window of "
                    + condition.window());
        }
        this.ring = ring;
        this.aggregation = condition.aggregate();
        this.op = condition.op();
        this.threshold = condition.threshold();
        this.quantile = aggregation.quantile();
        this.counts = ring.attach(condition);
    }

    /** Adds a sample; returns false when it is older than the window and so does not count. */
    boolean add(long time, double value, Buckets histogram) {
        return ring.add(-1, time, value, histogram);
    }

    /** {@link #add(long, double, Buckets)} once per {@code offer} however many conditions share the ring. */
    boolean add(long offer, long time, double value, Buckets histogram) {
        return ring.add(offer, time, value, histogram);
    }

    int size() {
        return ring.size;
    }

    /** Time of the newest sample in the window, or {@link Long#MIN_VALUE} before the first. */
    long newest() {
        return ring.newest;
    }

    /** Whether the condition holds on the window as it is now; false while the window is empty. */
    boolean holds() {
        int size = ring.size;
        if (size == 0) {
            return false;
        }
        if (quantile == quantile && ring.histogramAt(size - 1) == null) { // a quantile of plain values
            int rank = ring.rank(quantile);
            int below = ring.below[counts];
            int atOrBelow = ring.atOrBelow[counts];
            return switch (op) {
                case GT -> atOrBelow < rank;
                case GE -> below < rank;
                case LT -> below >= rank;
                case LE -> atOrBelow >= rank;
                case EQ -> below < rank && rank <= atOrBelow;
                case NE -> !(below < rank && rank <= atOrBelow);
            };
        }
        double value = value();
        return value == value && op.test(value, threshold);
    }

    /** The window's value under the condition's aggregation; NaN when it has none (empty, or one counter sample). */
    double value() {
        int size = ring.size;
        if (size == 0) {
            return Double.NaN;
        }
        return switch (aggregation) {
            case AVG -> ring.sum / size;
            case SUM -> ring.sum;
            case COUNT -> size;
            case LAST -> ring.value(size - 1);
            case MAX -> ring.max.extreme();
            case MIN -> ring.min.extreme();
            case INCREASE -> size < 2 ? Double.NaN : ring.increase();
            case RATE -> {
                long span = ring.time(size - 1) - ring.time(0);
                yield size < 2 || span <= 0 ? Double.NaN : ring.increase() * 1000.0 / span;
            }
            case P50, P90, P95, P99 -> quantileValue();
        };
    }

    private double quantileValue() {
        int size = ring.size;
        Buckets newestHistogram = ring.histogramAt(size - 1);
        if (newestHistogram != null) {
            return size < 2 ? Double.NaN : HistogramQuantile.between(ring.histogramAt(0), newestHistogram, quantile);
        }
        return ring.quantile(quantile);
    }
}
