package io.tumult.guardian.rules;

import java.util.Arrays;
import java.util.List;

import io.tumult.schemas.v1.Histogram;

/**
 * Quantiles from Prometheus histogram buckets, computed as PromQL's {@code histogram_quantile} does: over the
 * increase of the cumulative buckets between two histograms, by linear interpolation inside the bucket the rank
 * falls in.
 */
final class HistogramQuantile {

    /** A histogram's finite bucket bounds in ascending order with their cumulative counts, and its total. */
    record Buckets(double[] les, double[] counts, double total) {

        static Buckets of(Histogram histogram) {
            List<Histogram.Bucket> sorted = histogram.buckets().stream()
                    .sorted((a, b) -> Double.compare(a.le(), b.le())).toList();
            double[] les = new double[sorted.size()];
            double[] counts = new double[sorted.size()];
            for (int i = 0; i < les.length; i++) {
                les[i] = sorted.get(i).le();
                counts[i] = sorted.get(i).count();
            }
            return new Buckets(les, counts, histogram.count());
        }
    }

    private HistogramQuantile() {
    }

    /**
     * The {@code q} quantile of the observations made between {@code oldest} and {@code newest}. When the two do not
     * share their bucket bounds, or any count fell (the process restarted), {@code newest} is taken alone, as a
     * counter reset. NaN when no observation was made.
     */
    static double between(Buckets oldest, Buckets newest, double q) {
        boolean comparable = oldest != null && oldest != newest && Arrays.equals(oldest.les, newest.les)
                && newest.total >= oldest.total;
        if (comparable) {
            for (int i = 0; i < newest.counts.length; i++) {
                if (newest.counts[i] < oldest.counts[i]) {
                    comparable = false;
                    break;
                }
            }
        }
        if (!comparable) {
            return quantile(newest.les, newest.counts, newest.total, null, 0, q);
        }
        return quantile(newest.les, newest.counts, newest.total, oldest.counts, oldest.total, q);
    }

    private static double quantile(double[] les, double[] counts, double total, double[] minus, double minusTotal,
            double q) {
        double observations = total - minusTotal;
        if (!(observations > 0)) {
            return Double.NaN;
        }
        double rank = q * observations;
        double previousLe = 0;
        double previousCount = 0;
        for (int i = 0; i < les.length; i++) {
            double cumulative = counts[i] - (minus == null ? 0 : minus[i]);
            if (cumulative >= rank) {
                double lower = i == 0 ? Math.min(0, les[0]) : previousLe;
                if (i == 0 && les[0] <= 0) {
                    return les[0]; // the lowest bucket of a histogram with non-positive bounds: its bound, as PromQL
                }
                double inBucket = cumulative - previousCount;
                return inBucket <= 0 ? les[i] : lower + (les[i] - lower) * ((rank - previousCount) / inBucket);
            }
            previousLe = les[i];
            previousCount = cumulative;
        }
        return les[les.length - 1]; // the rank falls in the +Inf bucket: the highest finite bound, as PromQL
    }
}
