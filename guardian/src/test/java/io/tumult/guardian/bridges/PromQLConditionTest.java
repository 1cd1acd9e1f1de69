package io.tumult.guardian.bridges;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.GaugeTarget;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/** PromQL conditions end to end: a real Prometheus scrapes a value the test sets; aborts land on the real broker. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@WithTestResource(ObservabilityResource.class)
class PromQLConditionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldAbortTheRunWhenTheScrapedValueCrossesAndNotWhileHealthy() {
        // Given: a run whose condition is a query on a series only this test sets, healthy and evaluated a few times
        String series = "tumult_promql_gauge{test_case=\"" + UUID.randomUUID() + "\"}";
        ObservabilityResource.target().set(series, 0.01);
        UUID run = startRun(Condition.ofQuery("max(" + series + ")", Comparison.GT, 0.5, Duration.ofSeconds(2),
                Aggregation.LAST), Duration.ofSeconds(30));
        await().atMost(WAIT).until(() -> samplesEvaluated(run) >= 3);
        assertThat(abortsFor(run)).as("no abort while healthy").isEmpty();

        // When
        Instant crossed = Instant.now();
        ObservabilityResource.target().set(series, 0.9);

        // Then
        var aborts = await().atMost(WAIT).until(() -> abortsFor(run), list -> !list.isEmpty());
        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, aborts.get(0).value());
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(abort.reason().condition().query()).isEqualTo("max(" + series + ")");
        assertThat(abort.reason().observed()).isEqualTo(0.9);
        System.out.printf("PromQL condition: value set -> abort on the topic in %d ms (scrape 200 ms, poll 1 s)%n",
                aborts.get(0).timestamp() - crossed.toEpochMilli());
    }

    @Test
    void shouldAbortWithNoDataNamingPrometheusWhenItAnswersAnError() {
        // Given: a query Prometheus refuses (no-data-after is 3 s in tests)
        UUID run = startRun(Condition.ofQuery("sum(", Comparison.GT, 0.5, Duration.ofSeconds(1), null),
                Duration.ofMinutes(5));

        // When: its polls all fail

        // Then
        var aborts = await().atMost(WAIT).until(() -> abortsFor(run), list -> !list.isEmpty());
        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, aborts.get(0).value());
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.NO_DATA);
        assertThat(abort.reason().message()).contains("no sample of query sum(").contains("Prometheus at http://127.0.0.1:")
                .contains("bad_data");
    }

    @Test
    void shouldBacktestARuleOnAQueryAgainstPrometheusRange() {
        // Given: a series healthy, then crossing
        String series = "tumult_promql_gauge{test_case=\"" + UUID.randomUUID() + "\"}";
        GaugeTarget target = ObservabilityResource.target();
        target.set(series, 0.01);
        Instant from = Instant.now();
        long scrapes = target.scrapes();
        await().atMost(WAIT).until(() -> target.scrapes() >= scrapes + 3);
        Instant crossed = Instant.now();
        target.set(series, 0.9);
        var rule = Map.of("query", "max(" + series + ")", "op", ">", "threshold", 0.5, "window", "2s", "aggregate",
                "last");

        // When: the span up to now is replayed, until Prometheus has a point after the crossing
        var trips = await().atMost(WAIT).until(() -> given().contentType("application/json")
                .body(Map.of("autoAbort", List.of(rule), "from", from.toString(), "to", Instant.now().toString()))
                .post("/backtest").then().statusCode(200).extract().jsonPath().getList("rules[0].trips"),
                list -> !list.isEmpty());

        // Then: its first trip is on the value set, after the crossing (a slow poll may replay later steps too)
        assertThat(trips).isNotEmpty();
        var trip = given().contentType("application/json")
                .body(Map.of("autoAbort", List.of(rule), "from", from.toString(), "to", Instant.now().toString()))
                .post("/backtest").then().statusCode(200).extract().jsonPath();
        assertThat(trip.getDouble("rules[0].trips[0].observed")).isEqualTo(0.9);
        assertThat(Instant.parse(trip.getString("rules[0].trips[0].trippedAt"))).isAfter(crossed);
    }

    private UUID startRun(Condition condition, Duration duration) {
        UUID runId = UUID.randomUUID();
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100), duration, null,
                null, List.of(condition), null);
        kafka.publish(EventType.RUN_STARTED, runId.toString(),
                new RunStarted(runId, "promql-test", Trigger.MANUAL, Instant.now(), spec), "/test");
        return runId;
    }

    private int samplesEvaluated(UUID run) {
        List<Integer> samples = given().get("/runs").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.runId == '" + run + "' }.conditions[0].samples.flatten()", Integer.class);
        return samples.isEmpty() ? 0 : samples.get(0);
    }

    private List<ConsumerRecord<String, byte[]>> abortsFor(UUID run) {
        return kafka.readAll(Topics.RUN_ABORT).stream().filter(r -> run.toString().equals(r.key())).toList();
    }
}
