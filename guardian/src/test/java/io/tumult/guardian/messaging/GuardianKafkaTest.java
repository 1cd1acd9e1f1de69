package io.tumult.guardian.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.GuardianHeartbeat;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/** The guardian against a real broker: samples in, aborts, verdicts and heartbeats out. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class GuardianKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String METRICS_GROUP = "tumult-guardian";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldPublishOneAbortNamingTheRuleWhenSamplesBreachItAndNoneWhileHealthy() {
        // Given
        UUID run = startInjectedRun("http_error_rate");
        awaitWatched(run);
        RecordMetadata healthy = null;
        for (int i = 0; i < 5; i++) {
            healthy = sample("http_error_rate", 0.01, run);
        }
        // a sample is committed only once evaluated and any abort it caused is on the broker
        kafka.awaitConsumed(METRICS_GROUP, healthy, WAIT);
        assertThat(abortsFor(run)).as("no abort while healthy").isEmpty();

        // When
        RecordMetadata breaching = null;
        for (int i = 0; i < 5; i++) {
            breaching = sample("http_error_rate", 0.5, run);
        }
        kafka.awaitConsumed(METRICS_GROUP, breaching, WAIT);

        // Then
        List<ConsumerRecord<String, byte[]>> aborts = abortsFor(run);
        assertThat(aborts).as("exactly one abort").hasSize(1);
        ConsumerRecord<String, byte[]> record = aborts.get(0);
        assertThat(record.key()).isEqualTo(run.toString());
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(EventType.RUN_ABORTED.ceType());
        assertThat(EventClient.header(record, "ce_source")).isEqualTo("/tumult/guardian");
        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, record.value());
        assertThat(abort.source()).isEqualTo("guardian/guardian-test");
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(abort.reason().condition().metric()).isEqualTo("http_error_rate");
        assertThat(abort.reason().condition().threshold()).isEqualTo(0.05);
        assertThat(abort.reason().observed()).isGreaterThan(0.05);
    }

    @Test
    void shouldAbortAnInjectedRunWhoseMetricStopsArriving() {
        // Given
        UUID run = startInjectedRun("queue_depth");

        // When: no sample of queue_depth ever arrives (no-data-after is 3s in tests)

        // Then
        var aborts = await().atMost(WAIT).until(() -> abortsFor(run), list -> !list.isEmpty());
        assertThat(TumultJson.decode(EventType.RUN_ABORTED, aborts.get(0).value()).reason().kind())
                .isEqualTo(AbortKind.NO_DATA);
    }

    @Test
    void shouldDeadLetterBadSamplesWithTheReasonAndKeepEvaluatingTheNextOne() {
        // Given: a sample that fails its schema and one timed an hour ahead; then a run whose rule's window (30 s)
        // outlasts slow test machines, so that its no-data clock cannot run out before the valid sample is evaluated
        UUID run = startInjectedRun("latency_ms", Duration.ofSeconds(30));
        awaitWatched(run);
        String badKey = "bad-" + UUID.randomUUID();
        kafka.publishRaw(EventType.METRIC_SAMPLE, badKey,
                "{\"name\":\"latency ms\",\"value\":\"high\",\"at\":\"now\"}".getBytes(StandardCharsets.UTF_8));
        String futureKey = run.toString();
        kafka.publish(EventType.METRIC_SAMPLE, futureKey, new MetricSample("latency_ms", 0.0, Instant.now().plusSeconds(3600),
                run, Map.of()), "/test");

        // When
        RecordMetadata valid = sample("latency_ms", 5.0, run);

        // Then: both bad ones are dead-lettered with their reasons, and the next sample was evaluated, unblinded
        kafka.awaitConsumed(METRICS_GROUP, valid, WAIT);
        assertThat(abortsFor(run)).as("the valid sample after the bad ones was evaluated").singleElement()
                .satisfies(r -> {
                    RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, r.value());
                    assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
                    assertThat(abort.reason().observed()).isEqualTo(5.0);
                    assertThat(abort.reason().guardianLatencyMs()).isNotNull().isGreaterThanOrEqualTo(0.0);
                });
        var dead = kafka.read(Topics.DEAD_LETTER, rs -> rs.stream().filter(r -> badKey.equals(r.key())
                || futureKey.equals(r.key())).count() == 2, WAIT);
        assertThat(dead).filteredOn(r -> badKey.equals(r.key())).singleElement().satisfies(r -> {
            assertThat(EventClient.header(r, "dead-letter-reason")).contains("$.name").contains("$.value");
            assertThat(EventClient.header(r, "dead-letter-topic")).isEqualTo(Topics.METRICS);
        });
        assertThat(dead).filteredOn(r -> futureKey.equals(r.key())).singleElement().satisfies(
                r -> assertThat(EventClient.header(r, "dead-letter-reason")).contains("ahead of the guardian's clock"));
    }

    @Test
    void shouldExportEvaluatedSamplesAndTheBreachToAbortLatency() {
        // Given
        UUID run = startInjectedRun("export_check");
        awaitWatched(run);

        // When
        RecordMetadata breaching = sample("export_check", 1.0, run);
        kafka.awaitConsumed(METRICS_GROUP, breaching, WAIT);

        // Then
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("tumult_guardian_samples_evaluated_total")
                    .contains("tumult_guardian_breach_to_abort_seconds_bucket");
        });
    }

    @Test
    void shouldBacktestRulesAgainstARecordedSpanOfSamples() {
        // Given: a recorded span of one metric: healthy, then one breaching sample
        Instant start = Instant.now().minusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String metric = "backtest_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
        RecordMetadata last = null;
        for (int i = 0; i < 5; i++) {
            last = kafka.publish(EventType.METRIC_SAMPLE, metric, new MetricSample(metric, i == 3 ? 0.9 : 0.1,
                    start.plusSeconds(i), null, Map.of()), "/test");
        }
        assertThat(last).isNotNull();

        // When
        var result = given().contentType("application/json").body("""
                {"autoAbort":[{"metric":"%s","op":">","threshold":0.5,"window":"1s","aggregate":"last"}],
                 "from":"%s","to":"%s"}""".formatted(metric, start.minusSeconds(1), Instant.now()))
                .post("/backtest").then().statusCode(200).extract().jsonPath();

        // Then
        assertThat(result.getInt("samples")).isEqualTo(5);
        assertThat(result.getString("rules[0].trips[0].trippedAt")).isEqualTo(start.plusSeconds(3).toString());
        assertThat(result.getDouble("rules[0].trips[0].observed")).isEqualTo(0.9);
    }

    @Test
    void shouldRefuseABacktestWithoutASpanNamingTheField() {
        // When
        var problem = given().contentType("application/json")
                .body("{\"autoAbort\":[{\"metric\":\"m\",\"op\":\">\",\"threshold\":1,\"window\":\"1s\"}]}")
                .post("/backtest").then().statusCode(400).extract().jsonPath();

        // Then
        assertThat(problem.getString("field")).isEqualTo("$.from");
    }

    @Test
    void shouldShowOneWatchedRunAndNameWhatIsWrongWithABadRunId() {
        // Given
        UUID run = startInjectedRun("one_run_view");
        awaitWatched(run);

        // When / Then: the run, its condition and its window
        given().get("/runs/" + run).then().statusCode(200)
                .body("runId", equalTo(run.toString()))
                .body("injected", equalTo(true))
                .body("conditions[0].condition", containsString("one_run_view"));
        // a run this replica does not watch, and an id that is not one
        given().get("/runs/" + UUID.randomUUID()).then().statusCode(404)
                .body("field", equalTo("runId"))
                .body("error", containsString("does not watch"));
        given().get("/runs/not-a-uuid").then().statusCode(400)
                .body("field", equalTo("runId"))
                .body("error", containsString("not-a-uuid"));
    }

    @Test
    void shouldSayTheSteadyStateHeldAfterTheRevertWhenHealthySamplesFollowIt() {
        // Given: a run whose steady state held before injection, injected, then reverted at its deadline
        String metric = "after_revert_ok";
        UUID run = startRunWithSteadyState(metric);
        whileSampling(metric, 0.01, run, verdicts -> !verdicts.isEmpty());
        publishStatus(run, RunPhase.INJECTED);
        publishStatus(run, RunPhase.REVERTED);

        // When: healthy samples after the revert
        List<SteadyStateVerdict> verdicts = whileSampling(metric, 0.01, run,
                vs -> vs.stream().anyMatch(SteadyStateVerdict::afterRevert));

        // Then: the verdict before injection, then one after the revert that it held; the run is forgotten
        assertThat(verdicts.get(0).stage()).isEqualTo(SteadyStateStage.BEFORE_INJECTION);
        assertThat(verdicts.get(0).held()).isTrue();
        assertThat(verdicts).filteredOn(SteadyStateVerdict::afterRevert).singleElement().satisfies(v -> {
            assertThat(v.held()).isTrue();
            assertThat(v.source()).isEqualTo("guardian/guardian-test");
            assertThat(v.message()).contains("steady state held after the revert", metric);
        });
        awaitForgotten(run);
        assertThat(verdictsFor(run)).filteredOn(SteadyStateVerdict::afterRevert).hasSize(1);
    }

    @Test
    void shouldSayTheSteadyStateDidNotReturnAfterTheRevertWhenBadSamplesFollowIt() {
        // Given
        String metric = "after_revert_bad";
        UUID run = startRunWithSteadyState(metric);
        whileSampling(metric, 0.01, run, verdicts -> !verdicts.isEmpty());
        publishStatus(run, RunPhase.INJECTED);
        publishStatus(run, RunPhase.REVERTED);

        // When: the service keeps failing half its requests after the revert
        List<SteadyStateVerdict> verdicts = whileSampling(metric, 0.5, run,
                vs -> vs.stream().anyMatch(SteadyStateVerdict::afterRevert));

        // Then
        assertThat(verdicts).filteredOn(SteadyStateVerdict::afterRevert).singleElement().satisfies(v -> {
            assertThat(v.held()).isFalse();
            assertThat(v.condition().metric()).isEqualTo(metric);
            assertThat(v.observed()).isEqualTo(0.5);
            assertThat(v.message()).contains("steady state did not return after the revert");
        });
        awaitForgotten(run);
    }

    @Test
    void shouldPublishHeartbeats() {
        // When
        var beats = kafka.read(Topics.GUARDIAN_HEARTBEAT, rs -> rs.size() >= 2, WAIT);

        // Then
        assertThat(beats).hasSizeGreaterThanOrEqualTo(2);
        GuardianHeartbeat beat = TumultJson.decode(EventType.GUARDIAN_HEARTBEAT, beats.get(0).value());
        assertThat(beat.guardianId()).isEqualTo("guardian-test");
        assertThat(beats.get(0).key()).isEqualTo("guardian-test");
        assertThat(EventClient.header(beats.get(0), "ce_type")).isEqualTo(EventType.GUARDIAN_HEARTBEAT.ceType());
        assertThat(EventClient.header(beats.get(0), "ce_source")).isEqualTo("/tumult/guardian");
    }

    private UUID startInjectedRun(String metric) {
        return startInjectedRun(metric, Duration.ofSeconds(2));
    }

    private UUID startInjectedRun(String metric, Duration window) {
        UUID runId = UUID.randomUUID();
        var condition = new Condition(metric, Comparison.GT, 0.05, window, Aggregation.AVG);
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                Duration.ofMinutes(5), null, null, List.of(condition), null);
        kafka.publish(EventType.RUN_STARTED, runId.toString(),
                new RunStarted(runId, "guardian-test", Trigger.MANUAL, Instant.now(), spec), "/test");
        kafka.publish(EventType.RUN_STATUS, runId.toString(), new RunStatus(runId, "guardian-test", RunPhase.INJECTED,
                Instant.now(), "executor-test", "in place", List.of("network-namespace/victim"), null), "/test");
        return runId;
    }

    /** A run of 5 minutes whose steady state is {@code avg(metric[1s]) < 0.05}; silence of 30 s is allowed. */
    private UUID startRunWithSteadyState(String metric) {
        UUID runId = UUID.randomUUID();
        var steady = new Condition(metric, Comparison.LT, 0.05, Duration.ofSeconds(1), Aggregation.AVG, null, null,
                null, Duration.ofSeconds(30));
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                Duration.ofMinutes(5), null, List.of(steady), List.of(), null);
        kafka.publish(EventType.RUN_STARTED, runId.toString(),
                new RunStarted(runId, "guardian-test", Trigger.MANUAL, Instant.now(), spec), "/test");
        return runId;
    }

    private void publishStatus(UUID run, RunPhase phase) {
        kafka.publish(EventType.RUN_STATUS, run.toString(), new RunStatus(run, "guardian-test", phase, Instant.now(),
                "executor-test", phase.name(), List.of("network-namespace/victim"), null), "/test");
    }

    /**
     * Publishes a sample of {@code metric} every 100 ms (timed as published) while reading the run's verdicts, until
     * {@code done} holds for them; returns them, oldest first.
     */
    private List<SteadyStateVerdict> whileSampling(String metric, double value, UUID run,
            Predicate<List<SteadyStateVerdict>> done) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            sampler.scheduleAtFixedRate(() -> kafka.publishAsync(EventType.METRIC_SAMPLE, run.toString(),
                    new MetricSample(metric, value, Instant.now(), run, Map.of()), "/test"), 0, 100,
                    TimeUnit.MILLISECONDS);
            var records = kafka.read(Topics.RUN_VERDICTS, rs -> done.test(decodeVerdicts(rs, run)), WAIT);
            List<SteadyStateVerdict> verdicts = decodeVerdicts(records, run);
            assertThat(done.test(verdicts)).as("verdicts of run %s within %s: %s", run, WAIT, verdicts).isTrue();
            return verdicts;
        } finally {
            sampler.shutdownNow();
        }
    }

    private List<SteadyStateVerdict> verdictsFor(UUID run) {
        return decodeVerdicts(kafka.readAll(Topics.RUN_VERDICTS), run);
    }

    private static List<SteadyStateVerdict> decodeVerdicts(List<ConsumerRecord<String, byte[]>> records, UUID run) {
        return records.stream().filter(r -> run.toString().equals(r.key()))
                .map(r -> TumultJson.decode(EventType.STEADY_STATE_VERDICT, r.value())).toList();
    }

    private void awaitForgotten(UUID run) {
        await().atMost(WAIT).untilAsserted(() -> given().get("/runs/" + run).then().statusCode(404));
    }

    private void awaitWatched(UUID run) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().get("/runs").then().statusCode(200).extract()
                .jsonPath().getList("runId")).contains(run.toString()));
    }

    private RecordMetadata sample(String metric, double value, UUID run) {
        return kafka.publish(EventType.METRIC_SAMPLE, run.toString(), new MetricSample(metric, value, Instant.now(), run,
                Map.of()), "/test");
    }

    private List<ConsumerRecord<String, byte[]>> abortsFor(UUID run) {
        return kafka.readAll(Topics.RUN_ABORT).stream()
                .filter(r -> run.toString().equals(r.key())).toList();
    }
}
