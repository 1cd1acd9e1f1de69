package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.executor.failsafe.FailSafe;
import io.tumult.executor.failsafe.TestHeartbeats;
import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * The executor against a real broker, acting on a real network namespace. Refusals and dead letters need no root;
 * the tests that inject do.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class RunEngineKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** For runs refused before their target is looked at. */
    private static final String NO_SUCH_NAMESPACE = "tumult-no-such-namespace";
    private static NetnsPair pair;
    /** The guardian's part: without heartbeats the dead-man switch refuses every start. */
    private static TestHeartbeats heartbeats;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    FailSafe failSafe;

    private EventClient kafka;

    @BeforeAll
    static void createVictim() {
        if (NetnsPair.available()) {
            pair = NetnsPair.create();
        }
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
        kafka.close();
        if (pair != null) { // a failed test must not leave its fault to fail the next ones
            ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "flush", "ruleset");
        }
    }

    @Test
    @NeedsHostAttacks
    void shouldInjectOnceForDuplicateStartsAndRevertAtOnceOnAbort() {
        // Given
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(60));
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        RunStatus injected = awaitStatus(start.runId(), RunPhase.INJECTED);
        assertThat(injected.targets()).containsExactly("network-namespace/" + pair.victimName());
        assertThat(injected.executor()).isEqualTo("executor-test");
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);

        // When: the same start is delivered again
        var again = kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        kafka.awaitConsumed("tumult-executor", again, WAIT);

        // Then: still one fault
        assertThat(nftTables()).hasSize(1);

        // When
        var reason = new AbortReason(AbortKind.ALERT, "error rate alert fired", null, null);
        kafka.publish(EventType.RUN_ABORTED, key(start),
                new RunAborted(key(start), "alertmanager", Instant.now(), reason), "/test");

        // Then
        RunStatus aborted = awaitStatus(start.runId(), RunPhase.ABORTED);
        assertThat(aborted.abortReason()).isEqualTo(reason);
        assertThat(aborted.message()).contains("alertmanager");
        assertThat(aborted.targets()).containsExactly("network-namespace/" + pair.victimName());
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        assertThat(nftTables()).isEmpty();
        assertThat(statusesOf(start.runId())).extracting(RunStatus::phase)
                .containsExactly(RunPhase.INJECTED, RunPhase.ABORTED);
    }

    @Test
    @NeedsHostAttacks
    void shouldExposeTheRunsInPlaceAndTheUnrevertedFaultsOnTheMetricsEndpoint() throws Exception {
        // Given: a fault in place
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(60));
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        awaitStatus(start.runId(), RunPhase.INJECTED);

        // When
        String during = metricsText();
        kafka.publish(EventType.RUN_ABORTED, key(start), new RunAborted(key(start), "test", Instant.now(),
                new AbortReason(AbortKind.MANUAL, "metrics test", null, null)), "/test");
        awaitStatus(start.runId(), RunPhase.ABORTED);
        String after = metricsText();

        // Then
        assertThat(during).contains("tumult_executor_active_runs 1.0")
                .contains("tumult_executor_unreverted_injections_total 0.0");
        assertThat(after).contains("tumult_executor_active_runs 0.0")
                .contains("tumult_executor_unreverted_injections_total 0.0");
    }

    private String metricsText() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    @NeedsHostAttacks
    void shouldRevertAtTheDeadlineWithoutAnyMessage() {
        // Given
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(2));

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        awaitStatus(start.runId(), RunPhase.INJECTED);
        awaitStatus(start.runId(), RunPhase.REVERTED);
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(nftTables()).isEmpty();
    }

    @Test
    void shouldRefuseAStartWhoseAbortArrivedFirst() {
        // Given
        RunStarted start = start(NO_SUCH_NAMESPACE, Duration.ofSeconds(60));
        var reason = new AbortReason(AbortKind.MANUAL, "not today", null, null);
        var abort = kafka.publish(EventType.RUN_ABORTED, key(start),
                new RunAborted(key(start), "test", Instant.now(), reason), "/test");
        // the abort and the start travel on different topics: make sure the executor has handled the abort first
        awaitHandled(abort);

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("not today");
        assertThat(refused.reason()).isEqualTo(StatusReason.ABORTED_BEFORE_START);
        assertThat(statusesOf(start.runId())).extracting(RunStatus::phase).containsExactly(RunPhase.REFUSED);
    }

    @Test
    void shouldDeadLetterAnInvalidStartAndKeepProcessingTheNextOne() {
        // Given
        String badKey = UUID.randomUUID().toString();
        byte[] bad = "{\"runId\":\"%s\",\"trigger\":\"cron\"}".formatted(badKey).getBytes(StandardCharsets.UTF_8);
        RunStarted next = podKill();

        // When
        kafka.publishRaw(EventType.RUN_STARTED, badKey, bad);
        kafka.publish(EventType.RUN_STARTED, key(next), next, "/test");

        // Then
        List<ConsumerRecord<String, byte[]>> dead = kafka.read(Topics.DEAD_LETTER,
                records -> records.stream().anyMatch(r -> badKey.equals(r.key())), WAIT);
        ConsumerRecord<String, byte[]> letter = dead.stream().filter(r -> badKey.equals(r.key())).findFirst().orElseThrow();
        assertThat(EventClient.header(letter, "dead-letter-reason")).contains("$.experiment").contains("$.spec");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo(new String(bad, StandardCharsets.UTF_8));
        RunStatus refused = awaitStatus(next.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("pod-kill");
    }

    @Test
    @NeedsHostAttacks
    void shouldHaltEveryActiveRunAndRefuseStartsIssuedBeforeTheHalt() {
        // Given
        RunStarted running = start(pair.victimName(), Duration.ofSeconds(60));
        kafka.publish(EventType.RUN_STARTED, key(running), running, "/test");
        awaitStatus(running.runId(), RunPhase.INJECTED);
        RunStarted issuedBeforeHalt = start(pair.victimName(), Duration.ofSeconds(60));
        var reason = new AbortReason(AbortKind.MANUAL, "halt everything", null, null);

        // When
        var halt = kafka.publish(EventType.RUN_ABORTED, RunAborted.ALL_RUNS,
                new RunAborted(RunAborted.ALL_RUNS, "on-call", Instant.now(), reason), "/test");
        try {
            awaitHandled(halt);
            kafka.publish(EventType.RUN_STARTED, key(issuedBeforeHalt), issuedBeforeHalt, "/test");

            // Then
            RunStatus aborted = awaitStatus(running.runId(), RunPhase.ABORTED);
            assertThat(aborted.abortReason()).isEqualTo(reason);
            assertThat(aborted.message()).contains("on-call");
            RunStatus refused = awaitStatus(issuedBeforeHalt.runId(), RunPhase.REFUSED);
            assertThat(refused.message()).contains("halted");
            assertThat(refused.reason()).isEqualTo(StatusReason.HALTED);
            assertThat(nftTables()).isEmpty();
            assertThat(pair.lossPercent(10)).isZero();
        } finally { // a halt holds until released: the next tests need starts
            awaitHandled(kafka.publish(EventType.HALT_RELEASED, HaltReleased.KEY,
                    new HaltReleased("test", Instant.now(), "halt test done"), "/test"));
        }
    }

    @Test
    @NeedsHostAttacks
    void shouldRefuseARunBeyondItsBlastRadiusBeforeActing() {
        // Given: one namespace out of one is 100 %, over the 50 % cap
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(60), new NetworkLoss(100), new BlastRadius(1, 50));

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("blast radius").contains("maxPercentage 50");
        assertThat(refused.reason()).isEqualTo(StatusReason.BLAST_RADIUS);
        assertThat(nftTables()).isEmpty();
    }

    @Test
    @NeedsHostAttacks
    void shouldRefuseAStartWhoseNamespaceDoesNotExist() {
        // Given
        RunStarted start = start(NO_SUCH_NAMESPACE, Duration.ofSeconds(60));

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("no network namespace named " + NO_SUCH_NAMESPACE);
        assertThat(refused.reason()).isEqualTo(StatusReason.TARGET_NOT_FOUND);
    }

    @Test
    void shouldRefuseAnAttackKindWithoutAnAttack() {
        // Given
        RunStarted start = podKill();

        // When
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");

        // Then
        RunStatus refused = awaitStatus(start.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("pod-kill");
    }

    @Test
    void shouldRefuseAStartWhoseDeadlineHasPassed() {
        // Given: issued two minutes ago for one minute
        RunStarted fresh = start(NO_SUCH_NAMESPACE, Duration.ofSeconds(60));
        var stale = new RunStarted(fresh.runId(), fresh.experiment(), fresh.trigger(),
                Instant.now().minus(Duration.ofMinutes(2)), fresh.spec());

        // When
        kafka.publish(EventType.RUN_STARTED, key(stale), stale, "/test");

        // Then
        RunStatus refused = awaitStatus(stale.runId(), RunPhase.REFUSED);
        assertThat(refused.message()).contains("stale");
        assertThat(refused.reason()).isEqualTo(StatusReason.STALE_START);
        assertThat(statusesOf(stale.runId())).extracting(RunStatus::phase).containsExactly(RunPhase.REFUSED);
    }

    @Test
    @NeedsHostAttacks
    void shouldDeadLetterAnInvalidAbortAndKeepProcessingTheNextOne() {
        // Given: a running run, and an abort without its reason
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(60));
        kafka.publish(EventType.RUN_STARTED, key(start), start, "/test");
        awaitStatus(start.runId(), RunPhase.INJECTED);
        String badKey = UUID.randomUUID().toString();
        byte[] bad = "{\"runId\":\"%s\",\"source\":\"test\",\"issuedAt\":\"%s\"}"
                .formatted(badKey, Instant.now()).getBytes(StandardCharsets.UTF_8);
        var reason = new AbortReason(AbortKind.MANUAL, "valid abort", null, null);

        // When
        kafka.publishRaw(EventType.RUN_ABORTED, badKey, bad);
        kafka.publish(EventType.RUN_ABORTED, key(start), new RunAborted(key(start), "test", Instant.now(), reason),
                "/test");

        // Then
        List<ConsumerRecord<String, byte[]>> dead = kafka.read(Topics.DEAD_LETTER,
                records -> records.stream().anyMatch(r -> badKey.equals(r.key())), WAIT);
        ConsumerRecord<String, byte[]> letter = dead.stream().filter(r -> badKey.equals(r.key())).findFirst().orElseThrow();
        assertThat(EventClient.header(letter, "dead-letter-reason")).contains("reason");
        assertThat(awaitStatus(start.runId(), RunPhase.ABORTED).abortReason()).isEqualTo(reason);
        assertThat(nftTables()).isEmpty();
    }

    /** Waits until the executor's group-less abort reader has handled {@code record}. */
    private void awaitHandled(RecordMetadata record) {
        await().atMost(WAIT).until(() -> failSafe.handled(record.topic(), record.partition(), record.offset()));
    }

    private static RunStarted start(String namespace, Duration duration) {
        return start(namespace, duration, new NetworkLoss(100), null);
    }

    private static RunStarted start(String namespace, Duration duration, NetworkLoss loss, BlastRadius radius) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(namespace), loss, duration, radius, null, null,
                null);
        return new RunStarted(UUID.randomUUID(), "executor-test", Trigger.MANUAL, Instant.now(), spec);
    }

    private static RunStarted podKill() {
        var spec = new ExperimentSpec(null, new PodTarget("staging", Map.of("app", "cart"), SelectionMode.ONE, null),
                new PodKill(0), Duration.ofSeconds(60), null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "executor-test", Trigger.MANUAL, Instant.now(), spec);
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
        var record = records.stream().filter(r -> r.key().equals(runId.toString())).findFirst().orElseThrow();
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(EventType.RUN_STATUS.ceType());
        assertThat(EventClient.header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(EventClient.header(record, "ce_id")).isNotBlank();
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
