package io.tumult.executor.failsafe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
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
import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
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
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * The fail-safe switches of the running executor, on the real broker, measured on a real victim namespace: the
 * dead-man switch (the test plays the guardian's heartbeat) and halt-all until released.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@NeedsHostAttacks
class FailSafeKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Condition STEADY = new Condition("errors", Comparison.LT, 0.01, Duration.ofSeconds(1),
            Aggregation.AVG);
    private static NetnsPair pair;
    private static TestHeartbeats heartbeats;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    FailSafe failSafe;

    private EventClient kafka;

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
        await().atMost(WAIT).until(failSafe::acceptsStarts);
    }

    @AfterEach
    void disconnect() {
        heartbeats.start(); // a test that stopped them must not leave the next ones refused
        kafka.close();
        ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "flush", "ruleset");
    }

    @Test
    void shouldRevertEveryFaultAndRefuseNewStartsWhenTheGuardianHeartbeatStops() {
        // Given: a run injected while the guardian beats
        RunStarted running = start();
        kafka.publish(EventType.RUN_STARTED, key(running), running, "/test");
        awaitStatus(running.runId(), RunPhase.INJECTED);
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);

        // When
        heartbeats.stop();

        // Then: the fault is gone, the run ended naming the switch, and a new start is refused
        RunStatus aborted = awaitStatus(running.runId(), RunPhase.ABORTED);
        assertThat(aborted.message()).contains("dead-man switch").contains("no guardian heartbeat");
        assertThat(aborted.abortReason().kind()).isEqualTo(AbortKind.NO_DATA);
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        RunStarted refusedStart = start();
        kafka.publish(EventType.RUN_STARTED, key(refusedStart), refusedStart, "/test");
        RunStatus refused = awaitStatus(refusedStart.runId(), RunPhase.REFUSED);
        assertThat(refused.reason()).isEqualTo(StatusReason.DEAD_MAN_SWITCH);
        assertThat(refused.message()).contains("dead-man switch");
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldTakeStartsAgainOnceTheHeartbeatResumes() {
        // Given: the switch tripped
        heartbeats.stop();
        RunStarted whileDead = start();
        await().atMost(WAIT).until(() -> !failSafe.acceptsStarts());
        kafka.publish(EventType.RUN_STARTED, key(whileDead), whileDead, "/test");
        assertThat(awaitStatus(whileDead.runId(), RunPhase.REFUSED).reason()).isEqualTo(StatusReason.DEAD_MAN_SWITCH);

        // When
        heartbeats.start();

        // Then
        await().atMost(WAIT).until(failSafe::acceptsStarts);
        RunStarted afterwards = start();
        kafka.publish(EventType.RUN_STARTED, key(afterwards), afterwards, "/test");
        awaitStatus(afterwards.runId(), RunPhase.INJECTED);
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);
        abortAndAwaitRevert(afterwards);
    }

    @Test
    void shouldHaltEveryRunAndRefuseEveryNewStartUntilReleased() {
        // Given
        RunStarted running = start();
        kafka.publish(EventType.RUN_STARTED, key(running), running, "/test");
        awaitStatus(running.runId(), RunPhase.INJECTED);
        var reason = new AbortReason(AbortKind.MANUAL, "halt everything", null, null);

        try {
            // When
            awaitHandled(kafka.publish(EventType.RUN_ABORTED, RunAborted.ALL_RUNS,
                    new RunAborted(RunAborted.ALL_RUNS, "on-call", Instant.now(), reason), "/test"));

            // Then: reverted, and a start issued AFTER the halt is refused too
            assertThat(awaitStatus(running.runId(), RunPhase.ABORTED).abortReason()).isEqualTo(reason);
            assertThat(nftTables()).isEmpty();
            assertThat(pair.lossPercent(10)).isZero();
            RunStarted issuedAfterHalt = start();
            kafka.publish(EventType.RUN_STARTED, key(issuedAfterHalt), issuedAfterHalt, "/test");
            RunStatus refused = awaitStatus(issuedAfterHalt.runId(), RunPhase.REFUSED);
            assertThat(refused.reason()).isEqualTo(StatusReason.HALTED);
            assertThat(refused.message()).contains("on-call").contains("until the halt is released");
            assertThat(nftTables()).isEmpty();
            assertThat(pair.lossPercent(10)).isZero();
        } finally {
            release();
        }
    }

    @Test
    void shouldTakeStartsAgainAfterAHaltIsReleased() {
        // Given
        awaitHandled(kafka.publish(EventType.RUN_ABORTED, RunAborted.ALL_RUNS, new RunAborted(RunAborted.ALL_RUNS,
                "on-call", Instant.now(), new AbortReason(AbortKind.MANUAL, "halt", null, null)), "/test"));
        assertThat(failSafe.acceptsStarts()).isFalse();

        // When
        release();

        // Then
        RunStarted afterRelease = start();
        kafka.publish(EventType.RUN_STARTED, key(afterRelease), afterRelease, "/test");
        awaitStatus(afterRelease.runId(), RunPhase.INJECTED);
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);
        abortAndAwaitRevert(afterRelease);
    }

    @Test
    void shouldNotInjectAStartWhoseRunAlreadyHasAStatusFromAnotherExecutor() {
        // Given: another executor reported the run (its start was redelivered here after a rebalance)
        RunStarted start = start();
        var elsewhere = new RunStatus(start.runId(), start.experiment(), RunPhase.INJECTED, Instant.now(),
                "executor-elsewhere", "network-loss in place", List.of("network-namespace/" + pair.victimName()),
                null, null);
        awaitHandled(kafka.publish(EventType.RUN_STATUS, key(start), elsewhere, "/test"));

        // When
        var delivered = kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        kafka.awaitConsumed("tumult-executor", delivered, WAIT);

        // Then: nothing injected here, nothing reported by this executor
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(statusesOf(start.runId())).extracting(RunStatus::executor).containsExactly("executor-elsewhere");
    }

    @Test
    void shouldInjectARunWithASteadyStateOnlyOnceAVerdictSaysItHeld() {
        // Given: a run whose steady state is to be judged before its fault goes in
        RunStarted start = steadyStart();
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        await().atMost(WAIT).until(() -> kafka.readAll(Topics.RUN_CLAIMS).stream().anyMatch(r -> key(start).equals(r.key())));

        // Then: claimed, but nothing in place while no verdict came
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(statusesOf(start.runId())).isEmpty();

        // When: the guardian says it held
        kafka.publish(EventType.STEADY_STATE_VERDICT, key(start), verdict(start, true), "/test");

        // Then
        awaitStatus(start.runId(), RunPhase.INJECTED);
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);
        abortAndAwaitRevert(start);
    }

    @Test
    void shouldVetoARunWhoseSteadyStateDidNotHoldWithoutInjectingAnything() {
        // Given: the verdict is read before the start (they travel on different topics)
        RunStarted start = steadyStart();
        awaitHandled(kafka.publish(EventType.STEADY_STATE_VERDICT, key(start), verdict(start, false), "/test"));

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.reason()).isEqualTo(StatusReason.STEADY_STATE);
        assertThat(refused.message()).contains("vetoed before injection", "guardian/test", "observed 0.2");
        assertThat(statusesOf(start.runId())).extracting(RunStatus::phase).containsExactly(RunPhase.REFUSED);
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldVetoARunWhoseSteadyStateVerdictDoesNotComeInTime() {
        // Given: no guardian judges it
        RunStarted start = steadyStart();

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then: refused after its 1 s window plus the 2 s grace (test profile), nothing injected
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.reason()).isEqualTo(StatusReason.STEADY_STATE);
        assertThat(refused.message()).contains("no guardian's steady-state verdict within 3000 ms");
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldNotTakeAVerdictJudgedAfterARevertAsLeaveToInject() {
        // Given: a verdict that the steady state held, judged after a revert (for the scheduler), read before the start
        RunStarted start = steadyStart();
        awaitHandled(kafka.publish(EventType.STEADY_STATE_VERDICT, key(start), new SteadyStateVerdict(start.runId(),
                start.experiment(), true, Instant.now(), "guardian/test", "steady state held after the revert", null,
                null, SteadyStateStage.AFTER_REVERT), "/test"));

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then: it waits for a before-injection verdict, none comes, and it is vetoed with nothing injected
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.reason()).isEqualTo(StatusReason.STEADY_STATE);
        assertThat(refused.message()).contains("no guardian's steady-state verdict within");
        assertThat(statusesOf(start.runId())).extracting(RunStatus::phase).containsExactly(RunPhase.REFUSED);
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldReadAbortsWithoutLeavingAConsumerGroupOfItsOwn() throws Exception {
        // Given
        RunStarted start = start();
        var abort = kafka.publish(EventType.RUN_ABORTED, key(start), new RunAborted(key(start), "test", Instant.now(),
                new AbortReason(AbortKind.MANUAL, "not today", null, null)), "/test");

        // When
        awaitHandled(abort);

        // Then: the only executor groups on the broker are the shared ones (run-starts, dry runs), none per instance
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<String> groups = admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(g -> g.startsWith("tumult-executor")).toList();
            assertThat(groups).containsExactlyInAnyOrder("tumult-executor", "tumult-executor-dry-run");
        }
    }

    @Test
    void shouldDeadLetterAHaltReleaseThatIsNotKeyedLikeTheHalt() {
        // Given
        String wrongKey = UUID.randomUUID().toString();

        // When
        kafka.publish(EventType.HALT_RELEASED, wrongKey, new HaltReleased("someone", Instant.now(), null), "/test");

        // Then
        var dead = kafka.read(Topics.DEAD_LETTER, records -> records.stream().anyMatch(r -> wrongKey.equals(r.key())),
                WAIT);
        var letter = dead.stream().filter(r -> wrongKey.equals(r.key())).findFirst();
        assertThat(letter).as("dead letter keyed %s", wrongKey).isPresent();
        assertThat(EventClient.header(letter.get(), "dead-letter-reason")).contains("must be keyed *");
    }

    private void release() {
        awaitHandled(kafka.publish(EventType.HALT_RELEASED, HaltReleased.KEY,
                new HaltReleased("on-call", Instant.now(), "all clear"), "/test"));
        await().atMost(WAIT).until(failSafe::acceptsStarts);
    }

    private void abortAndAwaitRevert(RunStarted start) {
        kafka.publish(EventType.RUN_ABORTED, key(start), new RunAborted(key(start), "test", Instant.now(),
                new AbortReason(AbortKind.MANUAL, "test done", null, null)), "/test");
        awaitStatus(start.runId(), RunPhase.ABORTED);
        assertThat(nftTables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    private void awaitHandled(RecordMetadata record) {
        await().atMost(WAIT).until(() -> failSafe.handled(record.topic(), record.partition(), record.offset()));
    }

    private static RunStarted start() {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(pair.victimName()), new NetworkLoss(100),
                Duration.ofSeconds(60), null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "failsafe-test", Trigger.MANUAL, Instant.now(), spec);
    }

    private static RunStarted steadyStart() {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(pair.victimName()), new NetworkLoss(100),
                Duration.ofSeconds(60), null, List.of(STEADY), null, null);
        return new RunStarted(UUID.randomUUID(), "failsafe-test", Trigger.MANUAL, Instant.now(), spec);
    }

    private static SteadyStateVerdict verdict(RunStarted start, boolean held) {
        return held ? new SteadyStateVerdict(start.runId(), start.experiment(), true, Instant.now(), "guardian/test",
                "steady state held: " + STEADY.describe(), null, null)
                : new SteadyStateVerdict(start.runId(), start.experiment(), false, Instant.now(), "guardian/test",
                        "steady state did not hold: " + STEADY.describe() + " observed 0.2 over 10 samples", STEADY,
                        0.2);
    }

    private static String key(RunStarted start) {
        return start.runId().toString();
    }

    private RunStatus awaitStatus(UUID runId, RunPhase phase) {
        Predicate<RunStatus> wanted = s -> s.runId().equals(runId) && s.phase() == phase;
        var records = kafka.read(Topics.RUN_STATUS,
                rs -> rs.stream().map(r -> TumultJson.decode(EventType.RUN_STATUS, r.value())).anyMatch(wanted), WAIT);
        var status = records.stream().map(r -> TumultJson.decode(EventType.RUN_STATUS, r.value())).filter(wanted)
                .findFirst();
        assertThat(status).as("status %s of run %s", phase, runId).isPresent();
        return status.get();
    }

    private List<RunStatus> statusesOf(UUID runId) {
        return kafka.readAll(Topics.RUN_STATUS).stream()
                .map(r -> TumultJson.decode(EventType.RUN_STATUS, r.value())).filter(s -> s.runId().equals(runId))
                .toList();
    }

    private static List<String> nftTables() {
        return ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "list", "tables").orThrow().stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }
}
