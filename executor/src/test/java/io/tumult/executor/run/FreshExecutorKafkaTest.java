package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.failsafe.FailSafe;
import io.tumult.executor.failsafe.TestHeartbeats;
import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Trigger;

/**
 * What an executor that starts (after a restart, or as another replica) learns from the topics before it takes a
 * start: the halt in force, the aborts issued while it was down, the runs other executors already have. Each test
 * builds a fresh engine with its own group-less {@link FailSafe} against the real broker (the application's own
 * executor runs beside it), and measures the victim.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@NeedsHostAttacks
class FreshExecutorKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static NetnsPair pair;
    private static TestHeartbeats heartbeats;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    AttackRegistry attacks;

    @Inject
    FailSafe applicationFailSafe;

    private EventClient kafka;
    private final List<RunStatus> reported = new CopyOnWriteArrayList<>();
    private RunEngine fresh;
    private FailSafe freshFailSafe;

    @BeforeAll
    static void createVictim() {
        pair = NetnsPair.create();
    }

    @AfterAll
    static void removeVictim() {
        if (heartbeats != null) {
            heartbeats.close();
            heartbeats = null;
        }
        if (pair != null) {
            pair.close();
        }
    }

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
        if (heartbeats == null) {
            heartbeats = new TestHeartbeats(bootstrapServers);
        }
        heartbeats.start();
    }

    @AfterEach
    void stopFreshExecutor() {
        if (fresh != null) {
            fresh.shutdown();
        }
        if (freshFailSafe != null) {
            freshFailSafe.stop();
        }
        kafka.close();
        ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "flush", "ruleset");
    }

    @Test
    void shouldRefuseEveryStartAfterARestartWhileTheLastHaltIsNotReleased() {
        // Given: a halt-all issued before this executor starts
        awaitHandledByTheApplication(kafka.publish(EventType.RUN_ABORTED, RunAborted.ALL_RUNS, new RunAborted(
                RunAborted.ALL_RUNS, "on-call", Instant.now(), new AbortReason(AbortKind.MANUAL, "halt", null, null)),
                "/test"));
        try {
            RunStarted issuedAfterHalt = start();

            // When: the executor starts and is handed a start at once (it waits for its replay first)
            startFreshExecutor();
            CompletableFuture<Void> handled = fresh.start(issuedAfterHalt).toCompletableFuture();

            // Then
            await().atMost(WAIT).until(handled::isDone);
            assertThat(reported).singleElement().satisfies(s -> {
                assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
                assertThat(s.reason()).isEqualTo(StatusReason.HALTED);
            });
            assertThat(nftTables()).isEmpty();
            assertThat(pair.lossPercent(10)).isZero();
        } finally {
            awaitHandledByTheApplication(kafka.publish(EventType.HALT_RELEASED, HaltReleased.KEY,
                    new HaltReleased("on-call", Instant.now(), "all clear"), "/test"));
        }
    }

    @Test
    void shouldRefuseAfterARestartARunAbortedWhileTheExecutorWasDown() {
        // Given
        RunStarted start = start();
        awaitHandledByTheApplication(kafka.publish(EventType.RUN_ABORTED, key(start), new RunAborted(key(start),
                "guardian/g", Instant.now(), new AbortReason(AbortKind.AUTO_ABORT, "error rate", null, null)),
                "/test"));
        startFreshExecutor();
        await().atMost(WAIT).until(freshFailSafe::acceptsStarts);

        // When
        CompletableFuture<Void> handled = fresh.start(start).toCompletableFuture();

        // Then
        await().atMost(WAIT).until(handled::isDone);
        assertThat(reported).singleElement().satisfies(s -> {
            assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
            assertThat(s.reason()).isEqualTo(StatusReason.ABORTED_BEFORE_START);
        });
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldNotInjectAfterARestartARunThatAlreadyHasAStatus() {
        // Given: the run was reported by an executor (this one before its restart, or another replica)
        RunStarted start = start();
        awaitHandledByTheApplication(kafka.publish(EventType.RUN_STATUS, key(start), new RunStatus(start.runId(),
                start.experiment(), RunPhase.INJECTED, Instant.now(), "executor-before-restart", "in place",
                List.of(), null, null), "/test"));
        startFreshExecutor();
        await().atMost(WAIT).until(freshFailSafe::acceptsStarts);

        // When: its start is delivered again
        CompletableFuture<Void> handled = fresh.start(start).toCompletableFuture();

        // Then: ignored as a duplicate
        await().atMost(WAIT).until(handled::isDone);
        assertThat(reported).isEmpty();
        assertThat(fresh.activeRuns()).isEmpty();
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    private void startFreshExecutor() {
        fresh = new RunEngine(attacks, TestExecutorConfig.defaults(), status -> {
            reported.add(status);
            return CompletableFuture.completedFuture(null);
        });
        freshFailSafe = new FailSafe(fresh, bootstrapServers, "fresh-executor", Duration.ofSeconds(5),
                Duration.ofHours(1), 1000, InstantSource.system()).guard();
        freshFailSafe.start();
    }

    /** The records are on the broker and the application's executor has read them (so a fresh one can too). */
    private void awaitHandledByTheApplication(RecordMetadata record) {
        await().atMost(WAIT)
                .until(() -> applicationFailSafe.handled(record.topic(), record.partition(), record.offset()));
    }

    private static RunStarted start() {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(pair.victimName()), new NetworkLoss(100),
                Duration.ofSeconds(60), null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "fresh-executor-test", Trigger.MANUAL, Instant.now(), spec);
    }

    private static String key(RunStarted start) {
        return start.runId().toString();
    }

    private static List<String> nftTables() {
        return ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "list", "tables").orThrow().stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }
}
