package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.Trigger;

/**
 * The engine's ordering rules where timing matters, with an attack whose injection the test holds open. The real
 * attack and broker are covered by {@link RunEngineKafkaTest}.
 */
class RunEngineTest {

    private final HeldAttack attack = new HeldAttack();
    private final List<RunStatus> published = new CopyOnWriteArrayList<>();
    private RunEngine engine;

    @AfterEach
    void stop() {
        attack.release.countDown();
        if (engine != null) {
            engine.shutdown();
        }
    }

    @Test
    void shouldRevertAnAbortThatArrivedDuringInjectionEvenWhenTheInjectedStatusCannotBePublished() throws Exception {
        // Given: the broker refuses the 'injected' status, and an abort lands while the fault is going in
        engine = new RunEngine(new AttackRegistry(List.of(attack)), TestExecutorConfig.defaults(), status -> {
            published.add(status);
            return status.phase() == RunPhase.INJECTED
                    ? CompletableFuture.failedFuture(new IllegalStateException("broker unavailable"))
                    : CompletableFuture.completedFuture(null);
        });
        RunStarted start = start();
        CompletionStage<Void> started = engine.start(start);
        assertThat(attack.injecting.await(5, TimeUnit.SECONDS)).as("injection under way").isTrue();
        engine.abort(new RunAborted(start.runId().toString(), "guardian/g", Instant.now(),
                new AbortReason(AbortKind.MANUAL, "stop", null, null)));

        // When
        attack.release.countDown();

        // Then: the fault is reverted and the abort reported, though the run's start stage fails
        await().atMost(Duration.ofSeconds(5)).until(() -> !attack.recovered.isEmpty());
        assertThat(attack.recovered).containsExactly(attack.injected.get(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> started.toCompletableFuture().isDone());
        assertThat(started.toCompletableFuture()).isCompletedExceptionally();
        assertThat(published).extracting(RunStatus::phase).containsExactly(RunPhase.INJECTED, RunPhase.ABORTED);
        assertThat(engine.activeRuns()).isEmpty();
    }

    @Test
    void shouldPublishInjectedBeforeTheOutcomeWhenAnAbortRacesTheEndOfInjection() throws Exception {
        // Given: many runs, each aborted at the very moment its injection completes
        engine = new RunEngine(new AttackRegistry(List.of(attack)), TestExecutorConfig.defaults(), status -> {
            published.add(status);
            return CompletableFuture.completedFuture(null);
        });
        attack.release.countDown(); // injections complete at once; the race is between them and the aborts
        var runs = new ArrayList<RunStarted>();
        var aborts = new ArrayList<CompletableFuture<Void>>();

        // When
        for (int i = 0; i < 300; i++) {
            RunStarted start = start();
            runs.add(start);
            engine.start(start);
            aborts.add(engine.abort(new RunAborted(start.runId().toString(), "guardian/g", Instant.now(),
                    new AbortReason(AbortKind.MANUAL, "stop", null, null))).toCompletableFuture());
        }

        // Then: every run's statuses are refused alone, or injected followed by aborted; never aborted first
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.activeRuns().isEmpty());
        CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (RunStarted run : runs) {
                assertThat(phasesOf(run)).isIn(List.of(RunPhase.REFUSED), List.of(RunPhase.INJECTED, RunPhase.ABORTED));
            }
        });
    }

    @Test
    void shouldRefuseAStartWhoseDeadlinePassedOnTheEnginesClockWithAMachineReadableReason() {
        // Given: an engine whose clock stands an hour after the run was issued
        RunStarted start = start();
        InstantSource anHourLater = InstantSource.fixed(start.issuedAt().plus(Duration.ofHours(1)));
        engine = new RunEngine(new AttackRegistry(List.of(attack)), TestExecutorConfig.defaults(), status -> {
            published.add(status);
            return CompletableFuture.completedFuture(null);
        }, anHourLater, Journal.none(), Guards.none(), List.of());
        engine.recover();

        // When
        engine.start(start).toCompletableFuture().join();

        // Then: refused as stale, nothing injected
        assertThat(published).singleElement().satisfies(status -> {
            assertThat(status.phase()).isEqualTo(RunPhase.REFUSED);
            assertThat(status.reason()).isEqualTo(StatusReason.STALE_START);
            assertThat(status.at()).isEqualTo(anHourLater.instant());
        });
        assertThat(attack.injected).isEmpty();
    }

    private List<RunPhase> phasesOf(RunStarted run) {
        return published.stream().filter(s -> s.runId().equals(run.runId())).map(RunStatus::phase).toList();
    }

    private static RunStarted start() {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                Duration.ofSeconds(60), null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "engine-test", Trigger.MANUAL, Instant.now(), spec);
    }

    /** Injects only when the test releases it; records what it injected and recovered. */
    private static final class HeldAttack implements Attack<NetworkLoss> {
        final CountDownLatch injecting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Injection> injected = new CopyOnWriteArrayList<>();
        final List<Injection> recovered = new CopyOnWriteArrayList<>();

        @Override
        public Class<NetworkLoss> specType() {
            return NetworkLoss.class;
        }

        @Override
        public List<ResolvedTarget> resolve(Target target) {
            return List.of(new ResolvedTarget("network-namespace", "victim"));
        }

        @Override
        public Injection plan(UUID runId, NetworkLoss spec, ResolvedTarget target) {
            return new Injection("network-loss", target, Map.of("run", runId.toString()), List.of(List.of("true")));
        }

        @Override
        public void apply(NetworkLoss spec, Injection injection) {
            injecting.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            injected.add(injection);
        }

        @Override
        public void recover(Injection injection) {
            recovered.add(injection);
        }
    }
}
