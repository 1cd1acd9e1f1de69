package io.tumult.scheduler.cron;

import static io.tumult.scheduler.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.Api;
import io.tumult.scheduler.run.FireResult;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.Topics;

/** The firing path on the real broker and PostgreSQL: the shared Quartz store, the outbox, and the cron semantics. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class FiringTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String YEARLY = "0 0 1 1 *";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    RunLauncher launcher;

    @Inject
    ExperimentSchedules schedules;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldReplaceTheSharedTriggerWhenTheScheduleChangesAndFireOnlyTheNewCron() throws Exception {
        // Given an experiment firing every second
        create("change-me", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        kafka.read(Topics.RUN_START, rs -> !startsOf(rs, "change-me").isEmpty(), WAIT);

        // When it changes to even seconds only
        put("change-me", "{ cron: \"0/2 * * * * ?\", concurrency: Allow }");
        Instant changed = Instant.now();

        // Then the stored trigger is the new one, and no odd second fires after the change
        assertThat(schedules.fireTriggers("change-me")).singleElement()
                .extracting(t -> ((CronTrigger) t).getCronExpression()).isEqualTo("0/2 * * * * ?");
        var records = kafka.read(Topics.RUN_START, rs -> false, Duration.ofSeconds(5)); // a time window is the point
        List<Instant> odd = records.stream()
                .filter(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()).experiment().equals("change-me"))
                .map(r -> fireTimeOf("change-me", UUID.fromString(r.key()), changed))
                .filter(t -> t != null && t.isAfter(changed) && t.getEpochSecond() % 2 != 0)
                .toList();
        assertThat(odd).isEmpty();
        assertThat(asOperator().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("tumult_scheduler_fire_lag_seconds_count");
        asOperator().delete("/experiments/change-me").then().statusCode(204);
    }

    @Test
    void shouldRecordAFireMissedBeyondItsStartingDeadlineAsSkippedAndStartOneWithinIt() throws Throwable {
        // Given
        create("late", "{ cron: \"" + YEARLY + "\", concurrency: Allow, startingDeadline: 10s }");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // When
        FireResult tooLate = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("late", now.minusSeconds(60)));
        FireResult inTime = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("late", now.minusSeconds(5)));

        // Then
        assertThat(tooLate.runId()).isNull();
        assertThat(tooLate.skipped()).startsWith("MISSED_DEADLINE");
        Object reason = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("select reason from skipped_fire where experiment = 'late'")
                        .getSingleResult())));
        assertThat(reason).isEqualTo("MISSED_DEADLINE");
        assertThat(inTime.runId()).isEqualTo(RunLauncher.cronRunId("late", now.minusSeconds(5)));
        kafka.read(Topics.RUN_START, rs -> rs.stream().anyMatch(r -> r.key().equals(inTime.runId().toString())), WAIT);
    }

    @Test
    void shouldAbortTheRunItReplacesThroughTheAbortTopic() throws Throwable {
        // Given a run of an experiment whose concurrency is Replace
        create("replaced", "{ cron: \"" + YEARLY + "\", concurrency: Replace }");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        FireResult first = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("replaced", now.minusSeconds(2)));

        // When the next fire comes while it is active
        FireResult second = VertxContextSupport
                .subscribeAndAwait(() -> launcher.fireScheduled("replaced", now.minusSeconds(1)));

        // Then both started, and the first is aborted on the abort topic
        assertThat(second.runId()).isNotNull().isNotEqualTo(first.runId());
        var aborts = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().anyMatch(r -> first.runId().toString().equals(r.key())),
                WAIT);
        RunAborted abort = aborts.stream().filter(r -> first.runId().toString().equals(r.key()))
                .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).findFirst().orElseThrow();
        assertThat(abort.reason().message()).contains("replaced by run " + second.runId());
    }

    @Test
    void shouldAbortRunsInProgressWhenABlackoutOpensAndRefuseStartsWhileItIsOpen() {
        // Given a run in progress
        create("blacked-out", "{ cron: \"" + YEARLY + "\", concurrency: Allow }");
        String runId = asOperator().post("/experiments/blacked-out/runs").then().statusCode(202).extract().path("runId");

        // When a blackout window that opens every second (and stays open an hour) is added
        put("blacked-out", "{ cron: \"" + YEARLY + "\", concurrency: Allow, blackouts: [ { cron: \"* * * * * ?\","
                + " duration: 1h } ] }");

        // Then the run is aborted with reason blackout, and a new start is refused
        var aborts = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().anyMatch(r -> runId.equals(r.key())), WAIT);
        RunAborted abort = aborts.stream().filter(r -> runId.equals(r.key()))
                .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).findFirst().orElseThrow();
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.BLACKOUT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(asOperator().post("/experiments/blacked-out/runs").then()
                .statusCode(409).extract().asString()).contains("blackout"));
        asOperator().delete("/experiments/blacked-out").then().statusCode(204);
    }

    @Test
    void shouldAnswer400ForAScheduleThatNeverFiresAndStoreNothing() {
        // When
        String body = asOperator().contentType("application/yaml")
                .body(bytes(yaml("never", "{ cron: \"0 0 30 2 *\" }"))).post("/experiments")
                .then().statusCode(400).extract().asString();

        // Then
        assertThat(body).contains("$.spec.schedule.cron");
        asOperator().get("/experiments/never").then().statusCode(404);
    }

    private static Instant fireTimeOf(String name, UUID runId, Instant around) {
        for (long s = -30; s <= 30; s++) {
            Instant t = around.truncatedTo(ChronoUnit.SECONDS).plusSeconds(s);
            if (RunLauncher.cronRunId(name, t).equals(runId)) {
                return t;
            }
        }
        return null;
    }

    private static void create(String name, String schedule) {
        asOperator().contentType("application/yaml").body(bytes(yaml(name, schedule))).post("/experiments").then()
                .statusCode(201);
    }

    private static void put(String name, String schedule) {
        asOperator().contentType("application/yaml").body(bytes(yaml(name, schedule))).put("/experiments/" + name).then()
                .statusCode(200);
    }

    private static List<ConsumerRecord<String, byte[]>> startsOf(List<ConsumerRecord<String, byte[]>> records,
            String experiment) {
        return records.stream()
                .filter(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()).experiment().equals(experiment))
                .toList();
    }

    private static String yaml(String name, String schedule) {
        return """
                apiVersion: tumult.io/v1
                kind: Experiment
                metadata: { name: %s }
                spec:
                  target: { kind: network-namespace, name: checkout-db }
                  attack: { kind: network-loss, percent: 100 }
                  duration: 60s
                  schedule: %s
                """.formatted(name, schedule);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
