package io.tumult.guardian.rules;

import java.util.Arrays;

import io.tumult.guardian.rules.HistogramQuantile.Buckets;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;

/**
 * The samples of one condition's metric within its window of event time, kept in time order in a growable ring of
 * primitives, with the running state its aggregation needs, so that judging the condition never rescans the window:
 * <ul>
 * <li>avg, sum, count: a running sum;</li>
 * <li>min, max: a {@link MonotonicDeque};</li>
 * <li>rate, increase: each sample's counter increase over the one before it (a drop is a reset: the new value is the
 * increase), summed;</li>
 * <li>p50..p99 over plain values: how many samples lie below and at the threshold. The nearest-rank quantile
 * {@code x[ceil(q*n)]} is above the threshold exactly when fewer than {@code ceil(q*n)} samples are at or below it,
 * so the condition is judged exactly in O(1); the value itself is only computed (by sorting a copy) when it is
 * reported;</li>
 * <li>p50..p99 over histogram samples: the newest and oldest histograms, interpolated as PromQL does.</li>
 * </ul>
 * The window ends at the newest sample's time and spans {@code window} before it (inclusive); a sample older than
 * that is not taken. Late samples are inserted at their place in time, so they leave the window when their time does.
 * Not thread-safe: one owner.
 */
final class SampleWindow {

    private final long windowMillis;
    private final Aggregation aggregation;
    private final Comparison op;
    private final double threshold;
    private final double quantile;
    private final boolean counter;
    private final MonotonicDeque extreme;

    /** Rings whose length is a power of two, so that a slot is a mask away. */
    private long[] times = new long[16];
    private double[] values = new double[16];
    private double[] deltas;
    private Buckets[] histograms;
    private int head;
    private int size;
    private double sum;
    private double deltaSum;
    private int below;
    private int atOrBelow;
    private long newest = Long.MIN_VALUE;

    SampleWindow(Condition condition) {
        this.windowMillis = condition.window().toMillis();
        this.aggregation = condition.aggregate();
        this.op = condition.op();
        this.threshold = condition.threshold();
        this.quantile = aggregation.quantile();
        this.counter = aggregation == Aggregation.RATE || aggregation == Aggregation.INCREASE;
        this.deltas = counter ? new double[16] : null;
        this.extreme = switch (aggregation) {
            case MAX -> new MonotonicDeque(true);
            case MIN -> new MonotonicDeque(false);
            default -> null;
        };
    }

    /** Adds a sample; returns false when it is older than the window and so does not count. */
    boolean add(long time, double value, Buckets histogram) {
        if (newest != Long.MIN_VALUE && time < newest - windowMillis) {
            return false;
        }
        if (size == times.length) {
            grow();
        }
        int pos = size;
        while (pos > 0 && time(pos - 1) > time) {
            pos--;
        }
        for (int i = size; i > pos; i--) {
            copy(i - 1, i);
        }
        int at = slot(pos);
        times[at] = time;
        values[at] = value;
        if (histogram != null || histograms != null) {
            if (histograms == null) {
                histograms = new Buckets[times.length];
            }
            histograms[at] = histogram;
        }
        size++;
        sum += value;
        if (value < threshold) {
            below++;
        }
        if (value <= threshold) {
            atOrBelow++;
        }
        if (counter) {
            double delta = pos == 0 ? 0 : increase(value(pos - 1), value);
            deltas[at] = delta;
            deltaSum += delta;
            if (pos + 1 < size) { // the next sample's increase is now over this one
                int next = slot(pos + 1);
                deltaSum -= deltas[next];
                deltas[next] = increase(value, values[next]);
                deltaSum += deltas[next];
            }
        }
        if (extreme != null) {
            extreme.add(time, value);
        }
        if (time > newest) {
            newest = time;
        }
        evictOlderThan(newest - windowMillis);
        return true;
    }

    int size() {
        return size;
    }

    /** Time of the newest sample in the window, or {@link Long#MIN_VALUE} before the first. */
    long newest() {
        return newest;
    }

    /** Whether the condition holds on the window as it is now; false while the window is empty. */
    boolean holds() {
        if (size == 0) {
            return false;
        }
        if (quantile == quantile && histogramAt(size - 1) == null) { // a quantile of plain values
            int rank = rank();
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
        if (size == 0) {
            return Double.NaN;
        }
        return switch (aggregation) {
            case AVG -> sum / size;
            case SUM -> sum;
            case COUNT -> size;
            case LAST -> value(size - 1);
            case MAX, MIN -> extreme.extreme();
            case INCREASE -> size < 2 ? Double.NaN : deltaSum - deltas[head];
            case RATE -> {
                long span = time(size - 1) - time(0);
                yield size < 2 || span <= 0 ? Double.NaN : (deltaSum - deltas[head]) * 1000.0 / span;
            }
            case P50, P90, P95, P99 -> quantileValue();
        };
    }

    private double quantileValue() {
        Buckets newestHistogram = histogramAt(size - 1);
        if (newestHistogram != null) {
            return size < 2 ? Double.NaN : HistogramQuantile.between(histogramAt(0), newestHistogram, quantile);
        }
        double[] sorted = new double[size];
        for (int i = 0; i < size; i++) {
            sorted[i] = value(i);
        }
        Arrays.sort(sorted);
        return sorted[rank() - 1];
    }

    /** The nearest rank of the quantile, 1-based: ceil(q * n), at least 1. */
    private int rank() {
        return Math.max(1, (int) Math.ceil(quantile * size - 1e-9));
    }

    private static double increase(double previous, double current) {
        return current >= previous ? current - previous : current; // a counter that fell was reset
    }

    private void evictOlderThan(long cutoff) {
        while (size > 0 && times[head] < cutoff) {
            double value = values[head];
            sum -= value;
            if (value < threshold) {
                below--;
            }
            if (value <= threshold) {
                atOrBelow--;
            }
            if (counter) {
                deltaSum -= deltas[head];
            }
            if (histograms != null) {
                histograms[head] = null;
            }
            head = (head + 1) & (times.length - 1);
            size--;
        }
        if (extreme != null) {
            extreme.evictOlderThan(cutoff);
        }
        if (size == 0) {
            sum = 0; // no drift from long runs of additions and removals
            deltaSum = 0;
        }
    }

    private Buckets histogramAt(int i) {
        return histograms == null ? null : histograms[slot(i)];
    }

    /** The ring's slot of the i-th oldest sample (the ring's length is a power of two). */
    private int slot(int i) {
        return (head + i) & (times.length - 1);
    }

    private long time(int i) {
        return times[slot(i)];
    }

    private double value(int i) {
        return values[slot(i)];
    }

    private void copy(int from, int to) {
        int f = slot(from);
        int t = slot(to);
        times[t] = times[f];
        values[t] = values[f];
        if (counter) {
            deltas[t] = deltas[f];
        }
        if (histograms != null) {
            histograms[t] = histograms[f];
        }
    }

    private void grow() {
        int length = times.length * 2;
        var t = new long[length];
        var v = new double[length];
        var d = counter ? new double[length] : null;
        var h = histograms != null ? new Buckets[length] : null;
        for (int i = 0; i < size; i++) {
            int s = slot(i);
            t[i] = times[s];
            v[i] = values[s];
            if (d != null) {
                d[i] = deltas[s];
            }
            if (h != null) {
                h[i] = histograms[s];
            }
        }
        times = t;
        values = v;
        deltas = d;
        histograms = h;
        head = 0;
    }
}
