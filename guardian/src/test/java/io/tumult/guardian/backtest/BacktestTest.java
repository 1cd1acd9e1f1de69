package io.tumult.guardian.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.MetricSample;

class BacktestTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    @Test
    void shouldReportWhenEachRuleWouldHaveTrippedAndOnWhichValue() {
        // Given: errors climb from 0.0 to 0.9 and back, one sample a second, recorded out of order
        var abort = new Condition("errors", Comparison.GT, 0.5, Duration.ofSeconds(2), Aggregation.AVG);
        var steady = new Condition("errors", Comparison.LT, 0.2, Duration.ofSeconds(1), Aggregation.LAST);
        double[] values = { 0.0, 0.1, 0.3, 0.6, 0.9, 0.9, 0.1, 0.0 };
        var samples = new java.util.ArrayList<MetricSample>();
        for (int i = values.length - 1; i >= 0; i--) {
            samples.add(new MetricSample("errors", values[i], T0.plusSeconds(i), null, Map.of()));
        }

        // When
        var verdicts = new Backtest(List.of(abort), List.of(steady)).replay(samples);

        // Then: avg over [t-2s, t] first exceeds 0.5 at 4 s (0.6); steady state first breaks at 2 s (0.3)
        assertThat(verdicts).hasSize(2);
        assertThat(verdicts.get(0).role()).isEqualTo(Backtest.Role.AUTO_ABORT);
        assertThat(verdicts.get(0).trips().get(0).trippedAt()).isEqualTo(T0.plusSeconds(4));
        assertThat(verdicts.get(0).trips().get(0).observed()).isEqualTo(0.6);
        assertThat(verdicts.get(1).role()).isEqualTo(Backtest.Role.STEADY_STATE);
        assertThat(verdicts.get(1).trips().get(0).trippedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(verdicts.get(1).trips().get(0).observed()).isEqualTo(0.3);
        assertThat(verdicts.get(1).condition()).isEqualTo("last(errors[1s]) < 0.2");
    }

    @Test
    void shouldReplayARuleOnAQueryOnPrometheusRangeAnswers() {
        // Given: a query's answers, two series a second, the higher one crossing 0.5 at 3 s
        var abort = Condition.ofQuery("max(errors)", Comparison.GT, 0.5, Duration.ofSeconds(1), Aggregation.LAST);
        var points = List.of(new Backtest.QueryPoint(T0.plusSeconds(3), new double[] { 0.1, 0.7 }),
                new Backtest.QueryPoint(T0.plusSeconds(1), new double[] { 0.1, 0.2 }),
                new Backtest.QueryPoint(T0.plusSeconds(2), new double[] { 0.3, 0.2 }));

        // When
        var verdicts = new Backtest(List.of(abort), List.of()).replay(List.of(), Map.of("max(errors)", points));

        // Then
        assertThat(verdicts).singleElement().satisfies(v -> {
            assertThat(v.condition()).isEqualTo("last(query(max(errors))[1s]) > 0.5");
            assertThat(v.trips()).singleElement().satisfies(trip -> {
                assertThat(trip.trippedAt()).isEqualTo(T0.plusSeconds(3));
                assertThat(trip.observed()).isEqualTo(0.7);
            });
        });
    }
}
