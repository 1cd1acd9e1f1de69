package io.tumult.guardian.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

class RuleBookTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private final RuleBook rules = new RuleBook("g", Duration.ofSeconds(5));

    @Test
    void shouldAbortWhenTheWindowAverageCrossesTheThresholdAndNotBefore() {
        // Given
        UUID run = watch(condition(Aggregation.AVG, 0.5, "2s"));

        // When
        var first = rules.onSample(sample(0, 0.0, null), T0);
        var second = rules.onSample(sample(500, 0.9, null), T0); // avg 0.45
        var third = rules.onSample(sample(1000, 0.9, null), T0); // avg 0.6

        // Then
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(third).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(run.toString());
            assertThat(abort.source()).isEqualTo("guardian/g");
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
            assertThat(abort.reason().observed()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(abort.reason().condition().threshold()).isEqualTo(0.5);
            assertThat(abort.reason().message()).contains("avg(loss[2s]) > 0.5 held: observed 0.6");
        });
    }

    @Test
    void shouldForgetSamplesThatLeftTheWindow() {
        // Given
        UUID run = watch(condition(Aggregation.AVG, 0.5, "1s"));

        // When: 0.4, then 2 s later 0.0 and 0.6; with the 0.4 still counted the average would stay below too,
        // so check the value the window reports instead
        var results = List.of(rules.onSample(sample(0, 0.4, run), T0), rules.onSample(sample(2000, 0.0, run), T0),
                rules.onSample(sample(2500, 0.9, run), T0));

        // Then: avg over [1.5s, 2.5s] is 0.45 (with the old 0.4 it would be 0.43): no abort, and 2 samples counted
        assertThat(results).allSatisfy(r -> assertThat(r).isEmpty());
        assertThat(rules.describe()).singleElement()
                .satisfies(d -> assertThat((List<?>) d.get("conditions")).singleElement()
                        .satisfies(c -> assertThat(((java.util.Map<?, ?>) c).get("samples")).isEqualTo(2)));
    }

    @Test
    void shouldIgnoreASampleOlderThanTheWindowBehindTheNewest() {
        // Given
        UUID run = watch(condition(Aggregation.MAX, 0.5, "1s"));
        rules.onSample(sample(5000, 0.1, run), T0);

        // When
        var late = rules.onSample(sample(1000, 0.9, run), T0);

        // Then
        assertThat(late).isEmpty();
    }

    @Test
    void shouldApplyARunsOwnSamplesOnlyToItAndGlobalSamplesToEveryRun() {
        // Given
        UUID a = watch(condition(Aggregation.LAST, 0.5, "1s"));
        UUID b = watch(condition(Aggregation.LAST, 0.5, "1s"));

        // When
        var onlyA = rules.onSample(sample(0, 0.9, a), T0);
        var global = rules.onSample(sample(100, 0.9, null), T0);

        // Then
        assertThat(onlyA).extracting(RunAborted::runId).containsExactly(a.toString());
        assertThat(global).extracting(RunAborted::runId).containsExactly(b.toString()); // a is aborted already
    }

    @Test
    void shouldAbortARunOnlyOnce() {
        // Given
        watch(condition(Aggregation.MIN, 0.5, "1s"));

        // When
        var first = rules.onSample(sample(0, 0.9, null), T0);
        var again = rules.onSample(sample(100, 0.9, null), T0);

        // Then
        assertThat(first).hasSize(1);
        assertThat(again).isEmpty();
    }

    @Test
    void shouldAbortARunWhoseMetricFellSilentButNotOneThatKeepsReporting() {
        // Given: the no-data clock starts with the run, whether or not its fault is reported in place
        UUID silent = watch(condition(Aggregation.AVG, 0.5, "1s"));
        UUID reporting = UUID.randomUUID();
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), Duration.ofHours(1),
                null, null, List.of(new Condition("other", Comparison.GT, 0.5, Duration.ofSeconds(1), null)), null);
        rules.watch(new RunStarted(reporting, "e", Trigger.MANUAL, T0, spec), T0);
        rules.onSample(new MetricSample("other", 0.1, T0.plusSeconds(4), reporting, Map.of()), T0.plusSeconds(4));

        // When
        var early = rules.silentRuns(T0.plusSeconds(4));
        var late = rules.silentRuns(T0.plusSeconds(6));

        // Then
        assertThat(early).isEmpty();
        assertThat(late).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(silent.toString());
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.NO_DATA);
        });
    }

    @Test
    void shouldStopWatchingAForgottenRun() {
        // Given
        UUID run = watch(condition(Aggregation.AVG, 0.5, "1s"));

        // When
        rules.forget(run);

        // Then
        assertThat(rules.onSample(sample(0, 1.0, null), T0)).isEmpty();
        assertThat(rules.size()).isZero();
    }

    private UUID watch(Condition condition) {
        UUID runId = UUID.randomUUID();
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), Duration.ofHours(1),
                null, null, List.of(condition), null);
        rules.watch(new RunStarted(runId, "e", Trigger.MANUAL, T0, spec), T0);
        return runId;
    }

    private static Condition condition(Aggregation aggregation, double threshold, String window) {
        return new Condition("loss", Comparison.GT, threshold, io.tumult.schemas.v1.DurationText.parse(window),
                aggregation);
    }

    private static MetricSample sample(long offsetMillis, double value, UUID runId) {
        return new MetricSample("loss", value, T0.plusMillis(offsetMillis), runId, Map.of());
    }
}
