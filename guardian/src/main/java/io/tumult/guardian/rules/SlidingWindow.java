package io.tumult.guardian.rules;

import io.tumult.schemas.v1.Aggregation;

/**
 * The samples of one metric within the last {@code window} milliseconds of event time, in a growable ring of
 * primitives (no allocation per sample once warm). The window ends at the newest sample seen; a sample older than
 * that by more than the window is ignored.
 */
final class SlidingWindow {

    private final long windowMillis;
    private long[] times = new long[16];
    private double[] values = new double[16];
    private int head;
    private int size;
    private double sum;
    private long newest = Long.MIN_VALUE;
    private double newestValue;

    SlidingWindow(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** Adds a sample; returns false when it is too old to count. */
    boolean add(long timeMillis, double value) {
        if (newest != Long.MIN_VALUE && timeMillis < newest - windowMillis) {
            return false;
        }
        if (timeMillis >= newest) {
            newest = timeMillis;
            newestValue = value;
        }
        if (size == times.length) {
            grow();
        }
        int tail = (head + size) % times.length;
        times[tail] = timeMillis;
        values[tail] = value;
        size++;
        sum += value;
        evictOlderThan(newest - windowMillis);
        return true;
    }

    int size() {
        return size;
    }

    /** The window's value under {@code aggregation}; NaN when empty. */
    double aggregate(Aggregation aggregation) {
        if (size == 0) {
            return Double.NaN;
        }
        return switch (aggregation) {
            case AVG -> sum / size;
            case LAST -> newestValue;
            case MAX, MIN -> extreme(aggregation == Aggregation.MAX);
        };
    }

    private double extreme(boolean max) {
        double result = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            double v = values[(head + i) % values.length];
            result = max ? Math.max(result, v) : Math.min(result, v);
        }
        return result;
    }

    private void evictOlderThan(long cutoff) {
        // samples arrive nearly in order: evict from the head; a late one in the middle leaves with its neighbours
        while (size > 0 && times[head] < cutoff) {
            sum -= values[head];
            head = (head + 1) % times.length;
            size--;
        }
        if (size == 0) {
            sum = 0; // no drift from long runs of additions and removals
        }
    }

    private void grow() {
        var t = new long[times.length * 2];
        var v = new double[values.length * 2];
        for (int i = 0; i < size; i++) {
            t[i] = times[(head + i) % times.length];
            v[i] = values[(head + i) % values.length];
        }
        times = t;
        values = v;
        head = 0;
    }
}
