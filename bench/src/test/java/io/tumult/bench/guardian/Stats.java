package io.tumult.bench.guardian;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Median and p99 (nearest rank) of repeated measurements, one line each. */
public final class Stats {

    private Stats() {
    }

    static double percentile(List<Double> values, double p) {
        var sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        int rank = Math.max(1, (int) Math.ceil(p / 100.0 * sorted.size()));
        return sorted.get(rank - 1);
    }

    public static String line(String what, List<Double> values, String unit) {
        return String.format(Locale.ROOT, "  %-48s median %,12.1f  p99 %,12.1f  min %,12.1f  max %,12.1f %s (n=%d)%n",
                what, percentile(values, 50), percentile(values, 99), percentile(values, 0),
                percentile(values, 100), unit, values.size());
    }
}
