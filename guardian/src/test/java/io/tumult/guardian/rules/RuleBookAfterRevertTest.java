package io.tumult.guardian.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Trigger;

/** The steady state judged again once a completed run's fault is reverted. */
class RuleBookAfterRevertTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    /** The run's duration: it is reverted at its deadline, {@code T0 + 10 s}. */
    private static final Duration DURATION = Duration.ofSeconds(10);
    private static final Instant REVERT = T0.plus(DURATION);
    private static final Condition ERRORS = new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1),
            Aggregation.AVG);
    private static final Condition LOSS = new Condition("loss", Comparison.GT, 0.5, Duration.ofSeconds(1),
            Aggregation.LAST);

    private RuleBook rules = newBook();

    @Test
    void shouldSayTheSteadyStateHeldAfterTheRevertOnceHealthySamplesSpanTheWindowAndForgetTheRun() {
        // Given: a run whose steady state held before injection, then reverted at its deadline
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of(LOSS));
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: healthy samples over the window after the revert
        offerErrors(run, REVERT, 0, 1000, 0.001);

        // Then: one verdict after the revert that it held, and the run is forgotten
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.runId()).isEqualTo(run);
            assertThat(v.held()).isTrue();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
            assertThat(v.afterRevert()).isTrue();
            assertThat(v.message()).contains("steady state held after the revert", "errors");
            assertThat(v.condition()).isNull();
        });
        assertThat(rules.watches(run)).isFalse();
    }

    @Test
    void shouldSayTheSteadyStateDidNotReturnAfterTheRevertWithTheConditionAndTheValueObserved() {
        // Given
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: the service still fails 20 % of requests after the revert
        offerErrors(run, REVERT, 0, 1000, 0.2);

        // Then
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
            assertThat(v.condition()).isEqualTo(ERRORS);
            assertThat(v.observed()).isCloseTo(0.2, within(1e-9));
            assertThat(v.message()).contains("steady state did not return after the revert", "errors");
        });
        assertThat(rules.watches(run)).isFalse();
    }

    @Test
    void shouldSayTheSteadyStateDidNotReturnWhenItsMetricStaysSilentAfterTheRevert() {
        // Given
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: no sample for longer than the silence allowed (the default 5 s, longer than the window)
        rules.silentRuns(REVERT.plusSeconds(6));

        // Then
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
            assertThat(v.condition()).isEqualTo(ERRORS);
            assertThat(v.message()).contains("did not return after the revert", "no sample of errors");
        });
        assertThat(rules.watches(run)).isFalse();
    }

    @Test
    void shouldAllowAConditionsOwnSilenceAfterTheRevert() {
        // Given: a steady-state condition that allows 20 s of silence
        var patient = new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1), Aggregation.AVG, null, null,
                null, Duration.ofSeconds(20));
        UUID run = startInjectedAndVerdictBefore(List.of(patient), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: silent past the default allowance, then past its own
        rules.silentRuns(REVERT.plusSeconds(6));
        List<SteadyStateVerdict> atDefault = rules.verdicts();
        rules.silentRuns(REVERT.plusSeconds(21));

        // Then
        assertThat(atDefault).isEmpty();
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.message()).contains("allowed 20s");
        });
    }

    @Test
    void shouldNotCountSamplesTimedBeforeTheRevert() {
        // Given: a reverted run
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT.plusMillis(500));

        // When: bad samples timed during the fault, read after the revert status, then healthy ones after the revert
        offerErrors(run, REVERT.minusSeconds(1), 0, 900, 0.5);
        List<SteadyStateVerdict> fromTheFault = rules.verdicts();
        offerErrors(run, REVERT, 0, 1000, 0.001);

        // Then: the fault's samples neither decided nor spoiled the verdict
        assertThat(fromTheFault).isEmpty();
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isTrue();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
        });
    }

    @Test
    void shouldNotAbortARevertedRunForItsAbortConditionsOrTheirSilence() {
        // Given: a run aborted by loss > 0.5, reverted
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of(LOSS));
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: a breaching sample of its abort condition, and silence of it for longer than allowed
        List<RunAborted> aborts = new ArrayList<>(
                rules.offer(run, "loss", 0.9, REVERT.toEpochMilli() + 100, null, REVERT.toEpochMilli() + 100));
        offerErrors(run, REVERT, 0, 500, 0.001); // the steady state, still judging, keeps the run watched
        aborts.addAll(rules.silentRuns(REVERT.plusMillis(4000)));

        // Then
        assertThat(aborts).isEmpty();
        assertThat(rules.watches(run)).isTrue();
    }

    @Test
    void shouldNotJudgeAnAbortedRunAfterItsEnd() {
        // Given
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of(LOSS));

        // When: the run is aborted, and samples and silence follow
        rules.status(status(run, RunPhase.ABORTED, T0.plusSeconds(5)), T0.plusSeconds(5));
        offerErrors(run, T0.plusSeconds(5), 0, 1000, 0.001);
        rules.silentRuns(T0.plusSeconds(20));

        // Then
        assertThat(rules.verdicts()).isEmpty();
        assertThat(rules.watches(run)).isFalse();
    }

    @Test
    void shouldForgetARevertedRunWithoutSteadyState() {
        // Given: a run with abort conditions only
        UUID run = UUID.randomUUID();
        rules.watch(start(run, List.of(), List.of(LOSS)), T0);

        // When
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);
        rules.offer(run, "loss", 0.1, REVERT.toEpochMilli(), null, REVERT.toEpochMilli());
        rules.silentRuns(REVERT.plusSeconds(20));

        // Then
        assertThat(rules.verdicts()).isEmpty();
        assertThat(rules.watches(run)).isFalse();
    }

    @Test
    void shouldJudgeAfterTheRevertARunWhoseVerdictBeforeInjectionNeverCame() {
        // Given: a run whose steady state was never judged before its revert
        UUID run = UUID.randomUUID();
        rules.watch(start(run, List.of(ERRORS), List.of()), T0);
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When
        offerErrors(run, REVERT, 0, 1000, 0.001);

        // Then: only the verdict after the revert
        assertThat(rules.verdicts()).singleElement()
                .satisfies(v -> assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT));
    }

    @Test
    void shouldKeepARevertedRunPastTheSweepOfItsDeadlineWhileItsJudgementIsDue() {
        // Given: a run allowed two minutes of silence, reverted at its deadline
        var patient = new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1), Aggregation.AVG, null, null,
                null, Duration.ofMinutes(2));
        UUID run = startInjectedAndVerdictBefore(List.of(patient), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);

        // When: the sweep runs more than a minute past the deadline; then samples come
        rules.silentRuns(REVERT.plusSeconds(70));
        offerErrors(run, REVERT.plusSeconds(70), 0, 1000, 0.001);

        // Then
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isTrue();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
        });
    }

    @Test
    void shouldResumeTheJudgementAfterTheRevertWhenTheBookIsRebuiltAfterTheDeadline() {
        // Given: a run reverted at its deadline; the guardian restarts 2 s later and rereads its start and statuses
        UUID run = UUID.randomUUID();
        RunStarted start = start(run, List.of(ERRORS), List.of(LOSS));
        Instant rebuilt = REVERT.plusSeconds(2);
        rules = newBook();

        // When: the start is reread (past its deadline), then its statuses, then samples after the rebuild
        rules.watch(start, rebuilt);
        rules.status(status(run, RunPhase.INJECTED, T0.plusSeconds(1)), rebuilt);
        rules.status(status(run, RunPhase.REVERTED, REVERT), rebuilt);
        boolean watched = rules.watches(run);
        offerErrors(run, rebuilt, 0, 1000, 0.001);

        // Then
        assertThat(watched).isTrue();
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isTrue();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
        });
    }

    @Test
    void shouldResumeTheJudgementAfterTheRevertWhenTheRevertIsRereadBeforeTheStart() {
        // Given: the rebuild reads the run's revert before its start (they are on different topics)
        UUID run = UUID.randomUUID();
        Instant rebuilt = REVERT.plusSeconds(2);
        rules = newBook();
        rules.status(status(run, RunPhase.REVERTED, REVERT), rebuilt);

        // When
        rules.watch(start(run, List.of(ERRORS), List.of(LOSS)), rebuilt);
        offerErrors(run, rebuilt, 0, 1000, 0.2);

        // Then
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.AFTER_REVERT);
            assertThat(v.condition()).isEqualTo(ERRORS);
        });
    }

    @Test
    void shouldNotResumeAJudgementNoLongerDueOrOfARunThatEndedOtherwise() {
        // Given: one run reverted long ago, one past its deadline that was aborted
        UUID stale = UUID.randomUUID();
        UUID aborted = UUID.randomUUID();
        Instant rebuilt = REVERT.plus(Duration.ofMinutes(10));
        rules = newBook();

        // When: the book is rebuilt
        rules.watch(start(stale, List.of(ERRORS), List.of()), rebuilt);
        rules.status(status(stale, RunPhase.REVERTED, REVERT), rebuilt);
        rules.watch(start(aborted, List.of(ERRORS), List.of()), REVERT.plusSeconds(1));
        rules.status(status(aborted, RunPhase.ABORTED, REVERT), REVERT.plusSeconds(1));
        offerErrors(stale, rebuilt, 0, 1000, 0.001);
        rules.silentRuns(rebuilt.plusSeconds(10));

        // Then
        assertThat(rules.watches(stale)).isFalse();
        assertThat(rules.watches(aborted)).isFalse();
        assertThat(rules.verdicts()).isEmpty();
    }

    @Test
    void shouldIgnoreTheRevertReadAgainAfterTheVerdict() {
        // Given: a run judged after its revert
        UUID run = startInjectedAndVerdictBefore(List.of(ERRORS), List.of());
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT);
        offerErrors(run, REVERT, 0, 1000, 0.001);
        rules.verdicts();

        // When: the same status is read again
        rules.status(status(run, RunPhase.REVERTED, REVERT), REVERT.plusSeconds(2));
        rules.silentRuns(REVERT.plusSeconds(20));

        // Then
        assertThat(rules.watches(run)).isFalse();
        assertThat(rules.verdicts()).isEmpty();
    }

    /** A run watched from {@code T0}, whose steady state held before injection (that verdict collected), injected. */
    private UUID startInjectedAndVerdictBefore(List<Condition> steadyState, List<Condition> autoAbort) {
        UUID run = UUID.randomUUID();
        rules.watch(start(run, steadyState, autoAbort), T0);
        offerErrors(run, T0, 0, 1000, 0.001);
        assertThat(rules.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.held()).isTrue();
            assertThat(v.stage()).isEqualTo(SteadyStateStage.BEFORE_INJECTION);
        });
        rules.status(status(run, RunPhase.INJECTED, T0.plusSeconds(1)), T0.plusSeconds(1));
        return run;
    }

    /** Samples of {@code errors} every 100 ms from {@code from + first} to {@code from + last}, read as they are timed. */
    private void offerErrors(UUID run, Instant from, long first, long last, double value) {
        for (long t = first; t <= last; t += 100) {
            long at = from.toEpochMilli() + t;
            rules.offer(run, "errors", value, at, null, at);
        }
    }

    private static RuleBook newBook() {
        return new RuleBook(new RuleBook.Settings("g", Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(2)));
    }

    private static RunStarted start(UUID runId, List<Condition> steadyState, List<Condition> autoAbort) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("v"), new NetworkLoss(100), DURATION, null,
                steadyState, autoAbort, null);
        return new RunStarted(runId, "e", Trigger.MANUAL, T0, spec);
    }

    private static RunStatus status(UUID runId, RunPhase phase, Instant at) {
        return new RunStatus(runId, "e", phase, at, "executor-1", phase + " at " + at, List.of(), null);
    }
}
