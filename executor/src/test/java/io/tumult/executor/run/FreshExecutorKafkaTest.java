package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
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
    private final List<Replica> replicas = new ArrayList<>();

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
        for (Replica replica : replicas) {
            replica.engine().shutdown();
            replica.failSafe().stop();
        }
        replicas.clear();
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

    @Test
    void shouldInjectOnceWhenTwoReplicasAreHandedTheSameStartAtOnce() {
        // Given: two replicas ready to take starts, as after a rebalance that hands one start to both
        var reportedByA = new CopyOnWriteArrayList<RunStatus>();
        var reportedByB = new CopyOnWriteArrayList<RunStatus>();
        Replica a = startReplica("replica-a", reportedByA);
        Replica b = startReplica("replica-b", reportedByB);
        await().atMost(WAIT).until(() -> a.failSafe().acceptsStarts() && b.failSafe().acceptsStarts());
        RunStarted start = start();

        // When
        CompletableFuture<Void> byA = a.engine().start(start).toCompletableFuture();
        CompletableFuture<Void> byB = b.engine().start(start).toCompletableFuture();

        // Then: one of them injected and reported it; the other touched nothing and said nothing
        await().atMost(WAIT).until(() -> byA.isDone() && byB.isDone());
        var all = new ArrayList<>(reportedByA);
        all.addAll(reportedByB);
        assertThat(all).singleElement().satisfies(s -> assertThat(s.phase()).isEqualTo(RunPhase.INJECTED));
        Replica winner = reportedByA.isEmpty() ? b : a;
        Replica loser = winner == a ? b : a;
        assertThat(winner.engine().activeRuns()).containsExactly(start.runId());
        assertThat(loser.engine().activeRuns()).isEmpty();
        assertThat(nftTables()).hasSize(1);
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);

        // When: the start reaches the winner again after a restart (a fresh instance of the same executor id)
        var reportedAfterRestart = new CopyOnWriteArrayList<RunStatus>();
        Replica restarted = startReplica(winner == a ? "replica-a" : "replica-b", reportedAfterRestart);
        await().atMost(WAIT).until(restarted.failSafe()::acceptsStarts);
        CompletableFuture<Void> again = restarted.engine().start(start).toCompletableFuture();

        // Then: the first claim still holds: nothing more is injected
        await().atMost(WAIT).until(again::isDone);
        assertThat(reportedAfterRestart).isEmpty();
        assertThat(restarted.engine().activeRuns()).isEmpty();
        assertThat(nftTables()).hasSize(1);
    }

    @Test
    void shouldWaitForTheFirstHeartbeatInsteadOfRefusingAStartHandedToItAtOnce() {
        // Given: no guardian beating yet, and an executor handed a start as soon as it runs, as after a restart
        heartbeats.stop();
        Replica replica = startReplica("fresh-executor", reported, Duration.ofSeconds(30));
        RunStarted start = start();
        CompletableFuture<Void> handled = replica.engine().start(start).toCompletableFuture();
        // its feed has read past a record published after it started: it is caught up with the topics
        RecordMetadata later = kafka.publish(EventType.RUN_ABORTED, UUID.randomUUID().toString(), new RunAborted(
                UUID.randomUUID().toString(), "test", Instant.now(), new AbortReason(AbortKind.MANUAL, "marker",
                        null, null)),
                "/test");
        await().atMost(WAIT).until(() -> replica.failSafe().handled(later.topic(), later.partition(), later.offset()));
        assertThat(handled).as("the start waits for a heartbeat").isNotDone();
        assertThat(reported).isEmpty();

        // When: the guardian's first heartbeat arrives
        heartbeats.start();

        // Then: the start is taken, not refused, and the fault is on the victim
        await().atMost(WAIT).until(handled::isDone);
        assertThat(reported).singleElement().satisfies(s -> assertThat(s.phase()).isEqualTo(RunPhase.INJECTED));
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        replica.engine().abort(new RunAborted(key(start), "test", Instant.now(), new AbortReason(AbortKind.MANUAL,
                "done", null, null)));
        await().atMost(WAIT).until(() -> nftTables().isEmpty());
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldRefuseAStartOnceTheDeadManTimeoutPassesWithNoGuardianHeartbeat() {
        // Given: no guardian at all
        heartbeats.stop();
        startFreshExecutor();

        // When
        CompletableFuture<Void> handled = fresh.start(start()).toCompletableFuture();

        // Then: after the timeout the start is taken, and refused by the dead-man switch
        await().atMost(WAIT).until(handled::isDone);
        assertThat(reported).singleElement().satisfies(s -> {
            assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
            assertThat(s.reason()).isEqualTo(StatusReason.DEAD_MAN_SWITCH);
            assertThat(s.message()).contains("no guardian heartbeat seen since start-up");
        });
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    private void startFreshExecutor() {
        Replica replica = startReplica("fresh-executor", reported);
        fresh = replica.engine();
        freshFailSafe = replica.failSafe();
    }

    /** An executor instance with its own engine and group-less fail-safe, stopped after the test. */
    private record Replica(RunEngine engine, FailSafe failSafe) {
    }

    private Replica startReplica(String id, List<RunStatus> sink) {
        return startReplica(id, sink, Duration.ofSeconds(5));
    }

    private Replica startReplica(String id, List<RunStatus> sink, Duration deadManTimeout) {
        var engine = new RunEngine(attacks, TestExecutorConfig.defaults(), status -> {
            sink.add(status);
            return CompletableFuture.completedFuture(null);
        });
        var failSafe = new FailSafe(engine, bootstrapServers, id, deadManTimeout, Duration.ofHours(1), 1000,
                InstantSource.system()).guard();
        failSafe.start();
        var replica = new Replica(engine, failSafe);
        replicas.add(replica);
        return replica;
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
