package io.tumult.guardian.rules;

/**
 * The running maximum (or minimum) of a sliding window of time-stamped values: a deque ordered by time whose values
 * only fall (for a maximum) from front to back, so that the front is the extreme. Each value enters and leaves once:
 * amortized O(1) per sample. A late sample (older than the newest) is inserted at its place in time; that costs a
 * shift of the entries after it, which are few since lateness is bounded.
 */
final class MonotonicDeque {

    private final boolean max;
    /** Rings whose length is a power of two, so that a slot is a mask away. */
    private long[] times = new long[8];
    private double[] values = new double[8];
    private int head;
    private int size;

    MonotonicDeque(boolean max) {
        this.max = max;
    }

    /** The window's extreme; NaN when empty. */
    double extreme() {
        return size == 0 ? Double.NaN : values[head];
    }

    void add(long time, double value) {
        // position of the first entry newer than this sample (entries of the same time stay before it)
        int pos = size;
        while (pos > 0 && time(pos - 1) > time) {
            pos--;
        }
        // an entry newer than this sample and at least as extreme outlives it: this sample can never be the extreme
        if (pos < size && !beats(value, value(pos))) {
            return;
        }
        // entries before it that it beats or equals can never be the extreme again: they leave earlier
        int keep = pos;
        while (keep > 0 && !beats(value(keep - 1), value)) {
            keep--;
        }
        int removed = pos - keep;
        if (removed > 0) {
            // close the gap [keep, pos) and put the sample at keep
            set(keep, time, value);
            for (int i = pos; i < size; i++) {
                set(keep + 1 + i - pos, time(i), value(i));
            }
            size -= removed - 1;
            return;
        }
        if (size == times.length) {
            grow();
        }
        for (int i = size; i > pos; i--) {
            set(i, time(i - 1), value(i - 1));
        }
        set(pos, time, value);
        size++;
    }

    /** Drops entries older than {@code cutoff}. */
    void evictOlderThan(long cutoff) {
        while (size > 0 && times[head] < cutoff) {
            head = (head + 1) & (times.length - 1);
            size--;
        }
    }

    /** Whether {@code a} is strictly more extreme than {@code b}. */
    private boolean beats(double a, double b) {
        return max ? a > b : a < b;
    }

    private long time(int i) {
        return times[(head + i) & (times.length - 1)];
    }

    private double value(int i) {
        return values[(head + i) & (values.length - 1)];
    }

    private void set(int i, long time, double value) {
        int at = (head + i) & (times.length - 1);
        times[at] = time;
        values[at] = value;
    }

    private void grow() {
        var t = new long[times.length * 2];
        var v = new double[values.length * 2];
        for (int i = 0; i < size; i++) {
            t[i] = time(i);
            v[i] = value(i);
        }
        times = t;
        values = v;
        head = 0;
    }
}
