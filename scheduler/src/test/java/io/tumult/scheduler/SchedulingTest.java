package io.tumult.scheduler;

import static io.tumult.scheduler.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/** Cron fires publish run-starts on a real broker; run statuses become the run's history in PostgreSQL. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class SchedulingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldFireOnceUnderForbidAndRecordTheRunsLifecycle() {
        // Given: fires every second, but Forbid holds further fires while the first run is active
        String yaml = ExperimentApiTest.yaml("every-second") + "  schedule: { cron: \"* * * * * ?\", concurrency: Forbid }\n";

        // When
        asOperator().contentType("application/yaml").body(ExperimentApiTest.bytes(yaml)).post("/experiments").then()
                .statusCode(201);

        // Then: one run-start, keyed by run id, as a CloudEvent
        var starts = kafka.read(Topics.RUN_START, rs -> startsOf(rs, "every-second").size() >= 1, WAIT);
        ConsumerRecord<String, byte[]> record = startsOf(starts, "every-second").get(0);
        RunStarted start = TumultJson.decode(EventType.RUN_STARTED, record.value());
        assertThat(record.key()).isEqualTo(start.runId().toString());
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(EventType.RUN_STARTED.ceType());
        assertThat(EventClient.header(record, "ce_source")).isEqualTo("/tumult/scheduler");
        assertThat(EventClient.header(record, "ce_id")).isNotBlank();
        assertThat(start.trigger()).isEqualTo(Trigger.CRON);
        assertThat(run(start.runId()).getString("status")).isEqualTo("SCHEDULED");
        assertThat(run(start.runId()).getString("triggeredBy")).isEqualTo("cron");
        // the cron fires every second: let two more fire times pass (a time window is the point here)
        var later = kafka.read(Topics.RUN_START, rs -> false, Duration.ofMillis(2500));
        assertThat(startsOf(later, "every-second")).as("Forbid: no second run while the first is active").hasSize(1);

        // When: the executor reports injected, a duplicate, then aborted
        var reason = new AbortReason(AbortKind.MANUAL, "stop", null, null);
        publishStatus(start.runId(), RunPhase.INJECTED, null);
        publishStatus(start.runId(), RunPhase.INJECTED, null);
        publishStatus(start.runId(), RunPhase.ABORTED, reason);

        // Then
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath run = run(start.runId());
            assertThat(run.getString("status")).isEqualTo("ABORTED");
            assertThat(run.getString("reason.message")).isEqualTo("stop");
            assertThat(run.getList("history.phase")).containsExactly("injected", "aborted");
        });
        asOperator().delete("/experiments/every-second").then().statusCode(204);
    }

    @Test
    void shouldStartARunOnDemandAndDeadLetterAnInvalidStatusWithoutLosingTheNext() {
        // Given
        asOperator().contentType("application/yaml").body(ExperimentApiTest.bytes(ExperimentApiTest.yaml("on-demand")))
                .post("/experiments")
                .then().statusCode(201);
        String runId = asOperator().post("/experiments/on-demand/runs").then().statusCode(202).extract().path("runId");
        String badKey = UUID.randomUUID().toString();

        // When
        kafka.publishRaw(EventType.RUN_STATUS, badKey,
                "{\"runId\":\"%s\",\"phase\":\"exploded\"}".formatted(badKey).getBytes(StandardCharsets.UTF_8));
        publishStatus(UUID.fromString(runId), RunPhase.REFUSED, null);

        // Then
        var dead = kafka.read(Topics.DEAD_LETTER, rs -> rs.stream().anyMatch(r -> badKey.equals(r.key())), WAIT);
        var letter = dead.stream().filter(r -> badKey.equals(r.key())).findFirst().orElseThrow();
        assertThat(EventClient.header(letter, "dead-letter-reason")).contains("$.phase").contains("$.experiment");
        await().atMost(WAIT).untilAsserted(() -> assertThat(run(UUID.fromString(runId)).getString("status"))
                .isEqualTo("REFUSED"));
        asOperator().post("/experiments/on-demand/runs").then().statusCode(202);
    }

    private void publishStatus(UUID runId, RunPhase phase, AbortReason reason) {
        kafka.publish(EventType.RUN_STATUS, runId.toString(), new RunStatus(runId, "test", phase, Instant.now(),
                "executor-test", phase.name().toLowerCase(), List.of("network-namespace/checkout-db"), reason), "/test");
    }

    private static JsonPath run(UUID runId) {
        return asOperator().get("/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    private static List<ConsumerRecord<String, byte[]>> startsOf(List<ConsumerRecord<String, byte[]>> records,
            String experiment) {
        return records.stream()
                .filter(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()).experiment().equals(experiment))
                .toList();
    }
}
