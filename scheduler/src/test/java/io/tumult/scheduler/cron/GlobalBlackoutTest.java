package io.tumult.scheduler.cron;

import static io.tumult.scheduler.Api.asOperator;
import static io.tumult.scheduler.cron.FiringTest.create;
import static io.tumult.scheduler.cron.FiringTest.openedAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.Api;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.Topics;

/** A global blackout window ({@code tumult.scheduler.blackouts}) on the real broker and PostgreSQL. */
@QuarkusTest
@TestProfile(GlobalBlackoutTest.EveryTenSeconds.class)
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class GlobalBlackoutTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final String YEARLY = "0 0 1 1 *";
    private static final String WINDOW = "0/10 * * * * ?";
    private static final Duration OPEN_FOR = Duration.ofSeconds(4);

    /** A global window that opens every 10 s and stays open 4 s. */
    public static class EveryTenSeconds implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tumult.scheduler.blackouts[0].cron", WINDOW,
                    "tumult.scheduler.blackouts[0].duration", OPEN_FOR.toSeconds() + "s");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldAbortTheRunsOfEveryExperimentWhenAGlobalWindowOpensAndRefuseStartsWhileItIsOpen() {
        // Given runs in progress of two experiments, neither with a window of its own
        create("global-a", "{ cron: \"" + YEARLY + "\", concurrency: Allow }");
        create("global-b", "{ cron: \"" + YEARLY + "\", concurrency: Allow }");
        String runA = startOnceAccepted("global-a");
        String runB = startOnceAccepted("global-b");

        // When the global window opens
        var aborts = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().filter(r -> runA.equals(r.key()) || runB.equals(r.key()))
                .map(r -> r.key()).distinct().count() == 2, WAIT);

        // Then both runs are aborted for the blackout, and a start of either is refused naming the global window
        for (String run : List.of(runA, runB)) {
            RunAborted abort = aborts.stream().filter(r -> run.equals(r.key()))
                    .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).findFirst().orElseThrow();
            assertThat(abort.reason().kind()).as("abort of run %s", run).isEqualTo(AbortKind.BLACKOUT);
            assertThat(abort.reason().message()).startsWith("a global blackout window opened at ");
            asOperator().get("/runs/" + run).then().statusCode(200).body("abortedBy", equalTo("scheduler (blackout window)"));
        }
        for (String experiment : List.of("global-a", "global-b")) {
            assertThat(refusal(experiment)).contains("the global blackout window " + WINDOW + " opened at ");
        }
        asOperator().delete("/experiments/global-a").then().statusCode(204);
        asOperator().delete("/experiments/global-b").then().statusCode(204);
    }

    @Test
    void shouldStartAgainOnceTheGlobalWindowHasClosed() {
        // Given a start refused while the global window is open
        create("global-resumed", "{ cron: \"" + YEARLY + "\", concurrency: Allow }");
        Instant opened = openedAt(refusal("global-resumed"));

        // When a start is asked for until one is accepted
        startOnceAccepted("global-resumed");

        // Then it was accepted once the window had closed, not later than its next opening
        Instant accepted = Instant.now();
        assertThat(accepted).isAfterOrEqualTo(opened.plus(OPEN_FOR)).isBefore(opened.plusSeconds(10));
        asOperator().delete("/experiments/global-resumed").then().statusCode(204);
    }

    @Test
    void shouldSkipExactlyTheCronFiresInsideTheGlobalWindowAndStartTheOthers() {
        // Given an experiment firing every second, with no window of its own
        create("global-cron", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
        List<Instant> fires = Stream.iterate(first, t -> t.plusSeconds(1)).limit(10).toList();

        // When a whole cycle of the global window (open 4 s of every 10) has fired
        await().atMost(WAIT).pollInterval(POLL).until(() -> {
            Set<Instant> skipped = skippedFires("global-cron").keySet();
            Set<String> started = startedRunIds();
            return fires.stream().allMatch(t -> skipped.contains(t)
                    || started.contains(RunLauncher.cronRunId("global-cron", t).toString()));
        });
        Map<Instant, Map<String, Object>> skipped = skippedFires("global-cron");
        Set<String> started = startedRunIds();
        asOperator().delete("/experiments/global-cron").then().statusCode(204);

        // Then a fire time inside the window (its first 4 seconds of 10) is skipped for it and starts nothing, and one
        // outside starts its run and is not skipped
        for (Instant t : fires) {
            boolean inside = t.getEpochSecond() % 10 < OPEN_FOR.toSeconds();
            String runId = RunLauncher.cronRunId("global-cron", t).toString();
            if (inside) {
                assertThat(skipped).as("fire at %s, inside the window", t).containsKey(t);
                assertThat(skipped.get(t)).containsEntry("reason", "BLACKOUT");
                assertThat((String) skipped.get(t).get("detail")).contains("the global blackout window " + WINDOW);
                assertThat(started).as("run-starts of the fire at %s", t).doesNotContain(runId);
            } else {
                assertThat(skipped).as("fire at %s, outside the window", t).doesNotContainKey(t);
                assertThat(started).as("run-starts of the fire at %s", t).contains(runId);
            }
        }
    }

    private Set<String> startedRunIds() {
        return kafka.readAll(Topics.RUN_START).stream().map(r -> r.key()).collect(Collectors.toSet());
    }

    private static Map<Instant, Map<String, Object>> skippedFires(String experiment) {
        List<Map<String, Object>> rows = asOperator().get("/experiments/" + experiment + "/skipped-fires").then()
                .statusCode(200).extract().jsonPath().getList("");
        return rows.stream().collect(Collectors.toMap(row -> Instant.parse((String) row.get("fireTime")), row -> row));
    }

    /** Asks for a start of {@code experiment} until one is accepted (none is while the window is open); its run id. */
    private static String startOnceAccepted(String experiment) {
        return await().atMost(WAIT).pollInterval(POLL)
                .until(() -> asOperator().post("/experiments/" + experiment + "/runs").then().extract(),
                        r -> r.statusCode() == 202)
                .path("runId");
    }

    /** Asks for a start of {@code experiment} until one is refused (409); the refusal's body. */
    private static String refusal(String experiment) {
        ExtractableResponse<Response> refused = await().atMost(WAIT).pollInterval(POLL)
                .until(() -> asOperator().post("/experiments/" + experiment + "/runs").then().extract(),
                        r -> r.statusCode() == 409);
        return refused.asString();
    }
}
