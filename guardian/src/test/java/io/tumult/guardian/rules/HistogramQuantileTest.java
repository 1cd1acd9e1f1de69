package io.tumult.guardian.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.tumult.guardian.rules.HistogramQuantile.Buckets;
import io.tumult.schemas.v1.Histogram;
import io.tumult.schemas.v1.Histogram.Bucket;

/** Quantiles from buckets as PromQL's histogram_quantile computes them over an increase. */
class HistogramQuantileTest {

    private static Buckets histogram(double total, double... cumulative) {
        double[] les = { 0.1, 0.5, 1.0 };
        return Buckets.of(new Histogram(total, null, List.of(new Bucket(les[0], cumulative[0]),
                new Bucket(les[2], cumulative[2]), new Bucket(les[1], cumulative[1])))); // any order
    }

    @Test
    void shouldInterpolateInsideTheBucketTheRankFallsInOverTheIncrease() {
        // Given: between the two, 100 observations: 50 up to 0.1, 40 in (0.1, 0.5], 10 in (0.5, 1]
        Buckets before = histogram(100, 80, 90, 100);
        Buckets after = histogram(200, 130, 180, 200);

        // When
        double p50 = HistogramQuantile.between(before, after, 0.5);
        double p90 = HistogramQuantile.between(before, after, 0.9);
        double p95 = HistogramQuantile.between(before, after, 0.95);

        // Then: rank 50 is the top of the first bucket; 90 the top of the second; 95 halfway through the third
        assertThat(p50).isCloseTo(0.1, within(1e-9));
        assertThat(p90).isCloseTo(0.5, within(1e-9));
        assertThat(p95).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void shouldTakeTheHighestFiniteBoundWhenTheRankFallsInTheInfBucket() {
        // Given: 10 of 100 observations above 1.0
        Buckets after = histogram(100, 50, 80, 90);

        // When
        double p99 = HistogramQuantile.between(null, after, 0.99);

        // Then
        assertThat(p99).isEqualTo(1.0);
    }

    @Test
    void shouldTreatAFallingCountAsAResetAndUseTheNewestAlone() {
        // Given
        Buckets before = histogram(1000, 900, 950, 1000);
        Buckets after = histogram(10, 10, 10, 10);

        // When
        double p50 = HistogramQuantile.between(before, after, 0.5);

        // Then: all 10 observations up to 0.1, rank 5 halfway into the first bucket
        assertThat(p50).isCloseTo(0.05, within(1e-9));
    }

    @Test
    void shouldHaveNoQuantileWithoutObservations() {
        // Given
        Buckets same = histogram(100, 80, 90, 100);

        // When
        double p50 = HistogramQuantile.between(same, histogram(100, 80, 90, 100), 0.5);

        // Then
        assertThat(p50).isNaN();
    }
}
