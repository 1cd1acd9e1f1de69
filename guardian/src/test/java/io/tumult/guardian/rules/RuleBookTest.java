package io.tumult.guardian.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
import io.tumult.schemas.v1.DurationText;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.Histogram;
import io.tumult.schemas.v1.Histogram.Bucket;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Trigger;

class RuleBookTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private final RuleBook rules = new RuleBook(new RuleBook.Settings("g", Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofSeconds(2)));

    @Test
    void shouldAbortWhenTheWindowAverageCrossesTheThresholdAndSayWhy() {
        // Given
        UUID run = watch(condition(Aggregation.AVG, Comparison.GT, 0.5, "2s"));

        // When
        var first = offer(0, 0.0, null);
        var second = offer(500, 0.9, null); // avg 0.45
        var third = offer(1000, 0.9, null); // avg 0.6

        // Then
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(third).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(run.toString());
            assertThat(abort.source()).isEqualTo("guardian/g");
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
            assertThat(abort.reason().observed()).isCloseTo(0.6, within(1e-9));
            assertThat(abort.reason().condition().threshold()).isEqualTo(0.5);
            assertThat(abort.reason().samples()).isEqualTo(3);
            assertThat(abort.reason().firstBreachAt()).isEqualTo(T0.plusMillis(1000));
            assertThat(abort.reason().breachAt()).isEqualTo(T0.plusMillis(1000));
            assertThat(abort.reason().message()).contains("avg(loss[2s]) > 0.5 held: observed 0.6");
        });
    }

    @Test
    void shouldTripOnlyOnceTheConditionHeldForItsForDurationWithoutABreak() {
        // Given
        watch(new Condition("loss", Comparison.GT, 0.5, Duration.ofSeconds(1), Aggregation.LAST,
                Duration.ofSeconds(2), null, null, null));

        // When: breaching from 0 to 1.5 s, a healthy sample at 1.5 s, breaching again from 2 s on
        var results = List.of(offer(0, 0.9, null), offer(1000, 0.9, null), offer(1500, 0.1, null),
                offer(2000, 0.9, null), offer(3000, 0.9, null), offer(4000, 0.9, null));

        // Then: the break restarted the clock; it trips 2 s after 2 s
        assertThat(results.subList(0, 5)).allSatisfy(r -> assertThat(r).isEmpty());
        assertThat(results.get(5)).singleElement().satisfies(abort -> {
            assertThat(abort.reason().firstBreachAt()).isEqualTo(T0.plusMillis(2000));
            assertThat(abort.reason().breachAt()).isEqualTo(T0.plusMillis(4000));
        });
    }

    @Test
    void shouldNotJudgeAWindowWithFewerThanMinSamples() {
        // Given
        watch(new Condition("loss", Comparison.GT, 0.5, Duration.ofSeconds(10), Aggregation.MAX, null, 3, null, null));

        // When
        var results = List.of(offer(0, 0.9, null), offer(100, 0.9, null), offer(200, 0.1, null));

        // Then
        assertThat(results.get(0)).isEmpty();
        assertThat(results.get(1)).isEmpty();
        assertThat(results.get(2)).singleElement()
                .satisfies(abort -> assertThat(abort.reason().observed()).isEqualTo(0.9));
    }

    @Test
    void shouldJudgeAQuantileFromHistogramBucketsOverTheWindow() {
        // Given
        watch(condition(Aggregation.P99, Comparison.GT, 0.5, "10s"));

        // When: 100 requests between the two samples, 5 of them above 0.5 s
        var first = offer(histogramSample(0, 100, 80, 90, 100));
        var second = offer(histogramSample(1000, 200, 150, 185, 200));

        // Then: p99 falls in (0.5, 1]: rank 99 of 100, 4 of the 5 in it
        assertThat(first).isEmpty();
        assertThat(second).singleElement()
                .satisfies(abort -> assertThat(abort.reason().observed()).isCloseTo(0.9, within(1e-9)));
    }

    @Test
    void shouldForgetSamplesThatLeftTheWindowIncludingLateOnes() {
        // Given
        UUID run = watch(condition(Aggregation.MAX, Comparison.GT, 0.5, "1s"));
        offer(1000, 0.1, run);
        offer(300, 0.4, run); // late, but inside the window behind the newest sample

        // When: time moves on; the late 0.4 must leave when its time does, not linger behind the newest
        offer(1400, 0.2, run);
        var results = rules.describe();

        // Then
        assertThat(results).singleElement().satisfies(r -> assertThat(r.conditions()).singleElement()
                .satisfies(c -> {
                    assertThat(c.samples()).isEqualTo(2);
                    assertThat(c.value()).isEqualTo(0.2);
                }));
    }

    @Test
    void shouldRefuseSamplesBeyondTheTolerancesWithTheReasonAndStayUnblinded() {
        // Given
        UUID run = watch(condition(Aggregation.LAST, Comparison.GT, 0.5, "1s"));

        // When: one sample an hour in the future, one two minutes old; then a breaching one on time
        var future = new MetricSample("loss", 0.1, T0.plusSeconds(3600), run, Map.of());
        var old = new MetricSample("loss", 0.9, T0.minusSeconds(120), run, Map.of());

        // Then
        assertThatThrownBy(() -> rules.offer(future, T0.toEpochMilli())).isInstanceOf(SampleRejected.class)
                .hasMessageContaining("ahead of the guardian's clock");
        assertThatThrownBy(() -> rules.offer(old, T0.toEpochMilli())).isInstanceOf(SampleRejected.class)
                .hasMessageContaining("behind the guardian's clock");
        assertThat(offer(0, 0.9, run)).as("the future sample did not push the window ahead").hasSize(1);
    }

    @Test
    void shouldApplyARunsOwnSamplesOnlyToItAndGlobalSamplesToEveryRun() {
        // Given
        UUID a = watch(condition(Aggregation.LAST, Comparison.GT, 0.5, "1s"));
        UUID b = watch(condition(Aggregation.LAST, Comparison.GT, 0.5, "1s"));

        // When
        var onlyA = offer(0, 0.9, a);
        var global = offer(100, 0.9, null);

        // Then
        assertThat(onlyA).extracting(RunAborted::runId).containsExactly(a.toString());
        assertThat(global).extracting(RunAborted::runId).containsExactly(b.toString()); // a is aborted already
    }

    @Test
    void shouldAbortARunOnlyOnce() {
        // Given
        watch(condition(Aggregation.MIN, Comparison.GT, 0.5, "1s"));

        // When
        var first = offer(0, 0.9, null);
        var again = offer(100, 0.9, null);

        // Then
        assertThat(first).hasSize(1);
        assertThat(again).isEmpty();
    }

    @Test
    void shouldJudgeSilenceOnSampleTimeNotArrival() {
        // Given: windows of 1 s, so the 5 s default applies
        UUID silent = watch(condition(Aggregation.AVG, Comparison.GT, 0.5, "1s"));
        UUID reporting = watch(condition(Aggregation.AVG, Comparison.GT, 0.5, "1s"), "other");
        // a sample of "loss" that arrives at 4 s but was taken at 0.5 s: it does not make the metric fresh
        rules.offer(new MetricSample("loss", 0.1, T0.plusMillis(500), silent, Map.of()), T0.plusSeconds(4).toEpochMilli());
        rules.offer(new MetricSample("other", 0.1, T0.plusSeconds(4), reporting, Map.of()),
                T0.plusSeconds(4).toEpochMilli());

        // When
        var early = rules.silentRuns(T0.plusMillis(5400));
        var late = rules.silentRuns(T0.plusMillis(5600));

        // Then: silent since 0.5 s (sample time), allowed 5 s
        assertThat(early).isEmpty();
        assertThat(late).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(silent.toString());
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.NO_DATA);
            assertThat(abort.reason().firstBreachAt()).isEqualTo(T0.plusMillis(5500));
        });
    }

    @Test
    void shouldHonourAConditionsOwnNoDataSettings() {
        // Given
        UUID ignoring = watch(new Condition("loss", Comparison.GT, 0.5, Duration.ofSeconds(1), null, null, null,
                NoData.IGNORE, null));
        UUID quick = watch(new Condition("loss", Comparison.GT, 0.5, Duration.ofSeconds(1), null, null, null,
                NoData.BREACH, Duration.ofSeconds(2)));

        // When
        var at3s = rules.silentRuns(T0.plusSeconds(3));
        var at60s = rules.silentRuns(T0.plusSeconds(60));

        // Then
        assertThat(at3s).extracting(RunAborted::runId).containsExactly(quick.toString());
        assertThat(at60s).extracting(RunAborted::runId).doesNotContain(ignoring.toString());
    }

    @Test
    void shouldHaltAllRunsWhenAGlobalGuardTripsAndTripAgainOnlyAfterItRecovered() {
        // Given
        var guarded = new RuleBook(new RuleBook.Settings("g", Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(2), List.of(new Condition("error_rate", Comparison.GT, 0.01, Duration.ofSeconds(1),
                        Aggregation.LAST))));

        // When
        var trips = List.of(guarded.offer(global(0, 0.5), T0.toEpochMilli()),
                guarded.offer(global(100, 0.5), T0.toEpochMilli()), guarded.offer(global(200, 0.0), T0.toEpochMilli()),
                guarded.offer(global(300, 0.5), T0.toEpochMilli()));

        // Then
        assertThat(trips.get(0)).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(RunAborted.ALL_RUNS);
            assertThat(abort.haltsAll()).isTrue();
            assertThat(abort.reason().condition().metric()).isEqualTo("error_rate");
        });
        assertThat(trips.get(1)).as("still holding: no second halt").isEmpty();
        assertThat(trips.get(2)).isEmpty();
        assertThat(trips.get(3)).as("recovered, then tripped again").hasSize(1);
        assertThat(guarded.silentRuns(T0.plusSeconds(3600))).as("a guard's silence is not judged").isEmpty();
    }

    @Test
    void shouldFeedAQueryAnswerToEveryConditionNamingItTakingTheSeriesThatBreachesEach() {
        // Given: two runs on one query, one watching it go up, one watching it go down
        UUID high = watch(Condition.ofQuery("max(errors)", Comparison.GT, 0.5, Duration.ofSeconds(1), Aggregation.LAST));
        UUID low = watch(Condition.ofQuery("max(errors)", Comparison.LT, 0.2, Duration.ofSeconds(1), Aggregation.LAST));
        UUID pushed = watch(condition(Aggregation.LAST, Comparison.GT, 0.5, "1s"), "max(errors)");

        // When: an answer of three series, then a pushed sample named like the query
        var decided = rules.offerQuery("max(errors)", new double[] { 0.3, 0.7, 0.1 }, T0.toEpochMilli(),
                T0.toEpochMilli());
        var fromTopic = rules.offer(pushed, "max(errors)", 0.1, T0.toEpochMilli(), null, T0.toEpochMilli());

        // Then: each took the series that breaches it; the pushed sample reached only the pushed metric's condition
        assertThat(decided).extracting(RunAborted::runId).containsExactlyInAnyOrder(high.toString(), low.toString());
        assertThat(decided).extracting(a -> a.reason().observed()).containsExactlyInAnyOrder(0.7, 0.1);
        assertThat(decided.get(0).reason().condition().query()).isEqualTo("max(errors)");
        assertThat(fromTopic).isEmpty();
        assertThat(rules.queries()).containsExactly("max(errors)");
    }

    @Test
    void shouldNameWhyAQueryHasNoDataInItsNoDataAbortUntilItAnswersAgain() {
        // Given
        UUID run = watch(Condition.ofQuery("up", Comparison.LT, 1, Duration.ofSeconds(1), null));

        // When
        rules.noDataBecause("up", "Prometheus at http://127.0.0.1:1/ is unreachable");
        var silent = rules.silentRuns(T0.plusSeconds(10));

        // Then
        assertThat(silent).singleElement().satisfies(abort -> {
            assertThat(abort.runId()).isEqualTo(run.toString());
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.NO_DATA);
            assertThat(abort.reason().message()).contains("no sample of query up")
                    .contains("Prometheus at http://127.0.0.1:1/ is unreachable");
        });
    }

    @Test
    void shouldHaltAllRunsWhenAGlobalGuardOnAQueryTrips() {
        // Given
        var guarded = new RuleBook(new RuleBook.Settings("g", Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(2), List.of(Condition.ofQuery("sum(rate(errors_total[1m]))", Comparison.GT, 1,
                        Duration.ofSeconds(1), Aggregation.LAST))));

        // When
        var halts = guarded.offerQuery("sum(rate(errors_total[1m]))", new double[] { 3 }, T0.toEpochMilli(),
                T0.toEpochMilli());

        // Then
        assertThat(guarded.queries()).containsExactly("sum(rate(errors_total[1m]))");
        assertThat(halts).singleElement().satisfies(abort -> assertThat(abort.haltsAll()).isTrue());
    }

    private static MetricSample global(long offsetMillis, double value) {
        return new MetricSample("error_rate", value, T0.plusMillis(offsetMillis), null, Map.of());
    }

    @Test
    void shouldStopWatchingAForgottenRunAndNotWatchItAgainWhenItsStartIsReread() {
        // Given
        UUID run = UUID.randomUUID();
        RunStarted start = start(run, condition(Aggregation.AVG, Comparison.GT, 0.5, "1s"));
        rules.watch(start, T0);

        // When
        rules.forget(run);
        rules.watch(start, T0);

        // Then
        assertThat(offer(0, 1.0, null)).isEmpty();
        assertThat(rules.size()).isZero();
    }

    @Test
    void shouldJudgeASampleReadBeforeItsRunsStartOnceTheStartIsRead() {
        // Given: a breaching sample of a run whose start has not been read yet
        UUID run = UUID.randomUUID();
        assertThat(rules.offer(run, "loss", 0.9, T0.toEpochMilli(), null, T0.toEpochMilli())).isEmpty();

        // When
        List<RunAborted> aborts = rules.watch(start(run, condition(Aggregation.LAST, Comparison.GT, 0.5, "1s")),
                T0.plusMillis(50));

        // Then
        assertThat(aborts).singleElement().satisfies(a -> {
            assertThat(a.runId()).isEqualTo(run.toString());
            assertThat(a.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
            assertThat(a.reason().observed()).isEqualTo(0.9);
        });
    }

    @Test
    void shouldNotJudgeASampleHeldLongerThanTheHoldOrOfARunThatEnded() {
        // Given: breaching samples of two runs not known yet, one of which is then reported ended
        UUID late = UUID.randomUUID();
        UUID ended = UUID.randomUUID();
        rules.offer(late, "loss", 0.9, T0.toEpochMilli(), null, T0.toEpochMilli());
        rules.forget(ended);
        rules.offer(ended, "loss", 0.9, T0.toEpochMilli(), null, T0.toEpochMilli());
        Condition condition = condition(Aggregation.LAST, Comparison.GT, 0.5, "1s");

        // When: the first run's start is read after the hold
        List<RunAborted> afterHold = rules.watch(start(late, condition), T0.plusMillis(RuleBook.EARLY_HOLD_MILLIS + 1));
        List<RunAborted> ofEnded = rules.watch(start(ended, condition), T0.plusMillis(50));

        // Then
        assertThat(afterHold).isEmpty();
        assertThat(ofEnded).isEmpty();
        assertThat(rules.watches(ended)).isFalse();
    }

    @Test
    void shouldSayTheSteadyStateHeldOnceItsSamplesSpanTheWindowAndNeverAbortForIt() {
        // Given: a run whose error rate must stay under 1 % over 1 s before its fault goes in
        UUID run = UUID.randomUUID();
        rules.watch(steady(run, new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1), Aggregation.AVG)),
                T0);

        // When: healthy samples for half the window, then for all of it
        for (long t = 0; t <= 500; t += 100) {
            assertThat(rules.offer(run, "errors", 0.001, T0.toEpochMilli() + t, null, T0.toEpochMilli() + t)).isEmpty();
        }
        List<SteadyStateVerdict> early = rules.verdicts();
        for (long t = 600; t <= 1000; t += 100) {
            assertThat(rules.offer(run, "errors", 0.001, T0.toEpochMilli() + t, null, T0.toEpochMilli() + t)).isEmpty();
        }

        // Then: no verdict before the window was spanned, then one that it held
        assertThat(early).isEmpty();
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.runId()).isEqualTo(run);
            assertThat(v.held()).isTrue();
            assertThat(v.message()).contains("steady state held");
        });
        assertThat(rules.offer(run, "errors", 0.9, T0.toEpochMilli() + 1100, null, T0.toEpochMilli() + 1100)).isEmpty();
        assertThat(rules.verdicts()).isEmpty();
    }

    @Test
    void shouldSayTheSteadyStateDidNotHoldWithTheConditionAndTheValueObserved() {
        // Given
        UUID run = UUID.randomUUID();
        Condition errors = new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1), Aggregation.AVG);
        rules.watch(steady(run, errors), T0);

        // When: the service fails 20 % of requests
        for (long t = 0; t <= 1000; t += 100) {
            rules.offer(run, "errors", 0.2, T0.toEpochMilli() + t, null, T0.toEpochMilli() + t);
        }

        // Then
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.condition()).isEqualTo(errors);
            assertThat(v.observed()).isCloseTo(0.2, within(1e-9));
            assertThat(v.message()).contains("steady state did not hold", "errors");
        });
    }

    @Test
    void shouldSayTheSteadyStateWasNotShownWhenItsMetricStaysSilent() {
        // Given: a run with a steady state, and no sample of its metric
        UUID run = UUID.randomUUID();
        rules.watch(steady(run, new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1), Aggregation.AVG)),
                T0);

        // When: longer than the silence allowed (the default 5 s, longer than the window)
        rules.silentRuns(T0.plusSeconds(6));

        // Then: a verdict that it did not hold, naming the silence, and no abort for it
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.message()).contains("no sample of errors");
        });
    }

    @Test
    void shouldJudgeEachOfARunsConditionsOnOneMetricAndWindowOnEverySampleOnce() {
        // Given: two runs, each with three abort conditions on one metric and window (one ring of samples per run),
        // and a global series: every sample reaches both runs
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), Duration.ofHours(1),
                null, null, List.of(condition(Aggregation.COUNT, Comparison.GE, 4, "10s"),
                        condition(Aggregation.AVG, Comparison.GT, 100, "10s"),
                        condition(Aggregation.MAX, Comparison.GT, 100, "10s")),
                null);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        rules.watch(new RunStarted(first, "e", Trigger.MANUAL, T0, spec), T0);
        rules.watch(new RunStarted(second, "e", Trigger.MANUAL, T0, spec), T0);

        // When: four samples, each offered once
        var results = List.of(offer(0, 1, null), offer(100, 1, null), offer(200, 1, null), offer(300, 1, null));

        // Then: each run's count is 4 at the fourth (a sample counted once per run, not once per condition)
        assertThat(results.subList(0, 3)).allSatisfy(r -> assertThat(r).isEmpty());
        assertThat(results.get(3)).hasSize(2).allSatisfy(abort -> {
            assertThat(abort.reason().condition().aggregate()).isEqualTo(Aggregation.COUNT);
            assertThat(abort.reason().observed()).isEqualTo(4.0);
        });
    }

    private List<RunAborted> offer(long offsetMillis, double value, UUID runId) {
        return offer(new MetricSample("loss", value, T0.plusMillis(offsetMillis), runId, Map.of()));
    }

    private List<RunAborted> offer(MetricSample sample) {
        return rules.offer(sample, sample.at().toEpochMilli());
    }

    private static MetricSample histogramSample(long offsetMillis, double total, double le01, double le05, double le1) {
        var h = new Histogram(total, null, List.of(new Bucket(0.1, le01), new Bucket(0.5, le05), new Bucket(1.0, le1)));
        return new MetricSample("loss", total, T0.plusMillis(offsetMillis), null, Map.of(), h);
    }

    private UUID watch(Condition condition) {
        UUID runId = UUID.randomUUID();
        rules.watch(start(runId, condition), T0);
        return runId;
    }

    private UUID watch(Condition condition, String metric) {
        return watch(new Condition(metric, condition.op(), condition.threshold(), condition.window(),
                condition.aggregate()));
    }

    private static RunStarted start(UUID runId, Condition condition) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), Duration.ofHours(1),
                null, null, List.of(condition), null);
        return new RunStarted(runId, "e", Trigger.MANUAL, T0, spec);
    }

    private static RunStarted steady(UUID runId, Condition condition) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), Duration.ofHours(1),
                null, List.of(condition), List.of(), null);
        return new RunStarted(runId, "e", Trigger.MANUAL, T0, spec);
    }

    private static Condition condition(Aggregation aggregation, Comparison op, double threshold, String window) {
        return new Condition("loss", op, threshold, DurationText.parse(window), aggregation);
    }
}
