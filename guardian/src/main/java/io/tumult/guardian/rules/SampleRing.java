package io.tumult.guardian.rules;

import java.util.Arrays;

import io.tumult.guardian.rules.HistogramQuantile.Buckets;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Condition;

/**
 * The samples of one metric within one window of event time, kept in time order in a growable ring of primitives,
 * with the running state that the conditions judged on it need ({@link SampleWindow} is one condition's view), so that
 * the conditions of a run on the same metric and window keep one copy of its samples, and judging one never rescans
 * the window:
 * <ul>
 * <li>avg, sum, count: a running sum;</li>
 * <li>min, max: a {@link MonotonicDeque} each, kept once a condition needs it;</li>
 * <li>rate, increase: each sample's counter increase over the one before it (a drop is a reset: the new value is the
 * increase), summed, kept once a condition needs it;</li>
 * <li>each condition's threshold: how many samples lie below it and at or below it (p50..p99 over plain values are
 * judged by these in O(1): see {@link SampleWindow#holds()}).</li>
 * </ul>
 * The window ends at the newest sample's time and spans {@code window} before it (inclusive); a sample older than
 * that is not taken. Late samples are inserted at their place in time, so they leave the window when their time does.
 * Conditions attach before the first sample. Not thread-safe: one owner.
 */
final class SampleRing {

    final long windowMillis;

    /** Rings whose length is a power of two, so that a slot is a mask away. */
    private long[] times = new long[16];
    private double[] values = new double[16];
    private double[] deltas;
    private Buckets[] histograms;
    private int head;
    int size;
    double sum;
    double deltaSum;
    long newest = Long.MIN_VALUE;
    MonotonicDeque max;
    MonotonicDeque min;
    /** Per attached condition: its threshold, and how many samples lie below it and at or below it. */
    private double[] thresholds = new double[0];
    int[] below = new int[0];
    int[] atOrBelow = new int[0];
    /** The last offer taken ({@link #add(long, long, double, Buckets)}) and what it gave: each is added once. */
    private long lastOffer = -1;
    private boolean lastTaken;

    SampleRing(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** Attaches {@code condition} (of this ring's window); returns its index in the threshold counts. */
    int attach(Condition condition) {
        if (size > 0) {
            throw new IllegalStateException("conditions attach before the first sample");
        }
        Aggregation aggregation = condition.aggregate();
        if ((aggregation == Aggregation.RATE || aggregation == Aggregation.INCREASE) && deltas == null) {
            deltas = new double[times.length];
        }
        if (aggregation == Aggregation.MAX && max == null) {
            max = new MonotonicDeque(true);
        }
        if (aggregation == Aggregation.MIN && min == null) {
            min = new MonotonicDeque(false);
        }
        int index = thresholds.length;
        thresholds = Arrays.copyOf(thresholds, index + 1);
        thresholds[index] = condition.threshold();
        below = Arrays.copyOf(below, index + 1);
        atOrBelow = Arrays.copyOf(atOrBelow, index + 1);
        return index;
    }

    /**
     * Adds a sample, once per {@code offer} (an offer's number, increasing; -1 for none): the conditions sharing this
     * ring each pass the same sample on. Returns false when it is older than the window and so does not count.
     */
    boolean add(long offer, long time, double value, Buckets histogram) {
        if (offer >= 0 && offer == lastOffer) {
            return lastTaken;
        }
        lastOffer = offer;
        lastTaken = add(time, value, histogram);
        return lastTaken;
    }

    private boolean add(long time, double value, Buckets histogram) {
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
        for (int i = 0; i < thresholds.length; i++) {
            if (value < thresholds[i]) {
                below[i]++;
            }
            if (value <= thresholds[i]) {
                atOrBelow[i]++;
            }
        }
        if (deltas != null) {
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
        if (max != null) {
            max.add(time, value);
        }
        if (min != null) {
            min.add(time, value);
        }
        if (time > newest) {
            newest = time;
        }
        evictOlderThan(newest - windowMillis);
        return true;
    }

    /** The summed counter increases over the window, without the oldest sample's (it has no predecessor here). */
    double increase() {
        return deltaSum - deltas[head];
    }

    /** The nearest-rank quantile {@code q} of the plain values, by sorting a copy. */
    double quantile(double q) {
        double[] sorted = new double[size];
        for (int i = 0; i < size; i++) {
            sorted[i] = value(i);
        }
        Arrays.sort(sorted);
        return sorted[rank(q) - 1];
    }

    /** The nearest rank of quantile {@code q}, 1-based: ceil(q * n), at least 1. */
    int rank(double q) {
        return Math.max(1, (int) Math.ceil(q * size - 1e-9));
    }

    private static double increase(double previous, double current) {
        return current >= previous ? current - previous : current; // a counter that fell was reset
    }

    private void evictOlderThan(long cutoff) {
        while (size > 0 && times[head] < cutoff) {
            double value = values[head];
            sum -= value;
            for (int i = 0; i < thresholds.length; i++) {
                if (value < thresholds[i]) {
                    below[i]--;
                }
                if (value <= thresholds[i]) {
                    atOrBelow[i]--;
                }
            }
            if (deltas != null) {
                deltaSum -= deltas[head];
            }
            if (histograms != null) {
                histograms[head] = null;
            }
            head = (head + 1) & (times.length - 1);
            size--;
        }
        if (max != null) {
            max.evictOlderThan(cutoff);
        }
        if (min != null) {
            min.evictOlderThan(cutoff);
        }
        if (size == 0) {
            sum = 0; // no drift from long runs of additions and removals
            deltaSum = 0;
        }
    }

    Buckets histogramAt(int i) {
        return histograms == null ? null : histograms[slot(i)];
    }

    /** The ring's slot of the i-th oldest sample (the ring's length is a power of two). */
    private int slot(int i) {
        return (head + i) & (times.length - 1);
    }

    long time(int i) {
        return times[slot(i)];
    }

    double value(int i) {
        return values[slot(i)];
    }

    private void copy(int from, int to) {
        int f = slot(from);
        int t = slot(to);
        times[t] = times[f];
        values[t] = values[f];
        if (deltas != null) {
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
        var d = deltas != null ? new double[length] : null;
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
