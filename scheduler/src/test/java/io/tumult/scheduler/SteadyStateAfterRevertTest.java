package io.tumult.scheduler;

import static io.tumult.scheduler.Api.asOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * PASSED means the steady state held after the run: a completed run of an experiment with {@code steadyState} waits
 * in RUNNING after its revert for the guardian's verdict on the verdicts topic (real broker and PostgreSQL).
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class SteadyStateAfterRevertTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    @Test
    void shouldWaitAfterTheRevertAndPassOnlyOnTheVerdictThatTheSteadyStateHeldAgain() {
        // Given a run of an experiment with a steady state, injected and then reverted at its deadline
        UUID run = runOf("judged-held", true);
        status(run, RunPhase.INJECTED);
        status(run, RunPhase.REVERTED);
        await().atMost(WAIT).until(() -> history(run).contains("reverted"));
        assertThat(view(run).getString("status")).as("reverted, not yet judged").isEqualTo("RUNNING");
        asOperator().post("/runs/" + run + "/abort").then().statusCode(409)
                .body("error", containsString("waits for the guardian's verdict on its steady state"));

        // When the guardian's verdict before injection is read (again), then its verdict after the revert
        verdict(run, true, SteadyStateStage.BEFORE_INJECTION, "steady state held: avg(error_rate)[1s] < 0.01");
        verdict(run, true, SteadyStateStage.AFTER_REVERT, "steady state held after the revert: avg(error_rate)[1s] < 0.01");

        // Then it passed on the second alone, recorded as a step of its history
        JsonPath passed = await().atMost(WAIT).until(() -> view(run), v -> v.getString("status").equals("PASSED"));
        assertThat(passed.getString("reason.message"))
                .isEqualTo("steady state held after the revert: avg(error_rate)[1s] < 0.01");
        assertThat(passed.getString("reason.kind")).isNull();
        assertThat(passed.getList("history.phase")).containsExactly("injected", "reverted", RunHistory.VERDICT_PHASE);
        assertThat(passed.getString("history[2].executor")).isEqualTo("guardian/test");
    }

    @Test
    void shouldFailARunWhoseSteadyStateDidNotComeBackNamingWhatWasObserved() {
        // Given
        UUID run = runOf("judged-not-held", true);
        status(run, RunPhase.INJECTED);
        status(run, RunPhase.REVERTED);

        // When
        String message = "steady state did not return after the revert: avg(error_rate)[1s] < 0.01 observed 0.3";
        verdict(run, false, SteadyStateStage.AFTER_REVERT, message);

        // Then
        JsonPath failed = await().atMost(WAIT).until(() -> view(run), v -> v.getString("status").equals("FAILED"));
        assertThat(failed.getString("reason.kind")).isEqualTo("steady-state-not-restored");
        assertThat(failed.getString("reason.message")).isEqualTo(message);
    }

    @Test
    void shouldApplyAVerdictReadBeforeTheRevertOnceTheRevertIsRead() {
        // Given a verdict after the revert read before the revert itself (they travel on different topics)
        UUID run = runOf("judged-early", true);
        status(run, RunPhase.INJECTED);
        verdict(run, true, SteadyStateStage.AFTER_REVERT, "steady state held after the revert: all held");
        await().atMost(WAIT).until(() -> history(run).contains(RunHistory.VERDICT_PHASE));
        assertThat(view(run).getString("status")).as("not passed before its revert").isEqualTo("RUNNING");

        // When
        status(run, RunPhase.REVERTED);

        // Then
        await().atMost(WAIT).until(() -> view(run).getString("status").equals("PASSED"));
    }

    @Test
    void shouldFailARunWhoseVerdictDoesNotComeInTime() {
        // Given a reverted run no guardian judges (window 1 s, no data after 1 s, grace 2 s in tests)
        UUID run = runOf("never-judged", true);
        status(run, RunPhase.INJECTED);
        Instant reverted = Instant.now();
        status(run, RunPhase.REVERTED);

        // Then
        JsonPath failed = await().atMost(WAIT).until(() -> view(run), v -> v.getString("status").equals("FAILED"));
        assertThat(Duration.between(reverted, Instant.now())).as("failed only once its wait was over")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(failed.getString("reason.kind")).isEqualTo("steady-state-not-restored");
        assertThat(failed.getString("reason.message"))
                .isEqualTo("no guardian verdict on the steady state within 4 s of the revert");
        assertThat(failed.getList("history.phase")).containsExactly("injected", "reverted", RunHistory.VERDICT_PHASE);
        assertThat(failed.getString("history[2].executor")).isEqualTo("scheduler");
        assertThat(failed.getString("history[2].message")).isEqualTo(failed.getString("reason.message"));
    }

    @Test
    void shouldPassARunWithoutASteadyStateAtItsRevert() {
        // Given
        UUID run = runOf("not-judged", false);
        status(run, RunPhase.INJECTED);

        // When
        status(run, RunPhase.REVERTED);

        // Then
        await().atMost(WAIT).until(() -> view(run).getString("status").equals("PASSED"));
        assertThat(view(run).getList("history.phase")).containsExactly("injected", "reverted");
    }

    /** Creates the experiment and runs it now; its run id. */
    private static UUID runOf(String experiment, boolean steadyState) {
        String yaml = ExperimentApiTest.yaml(experiment) + (steadyState
                ? "  steadyState: [ { metric: error_rate, op: \"<\", threshold: 0.01, window: 1s, noDataAfter: 1s } ]\n"
                : "");
        asOperator().contentType("application/yaml").body(ExperimentApiTest.bytes(yaml)).post("/experiments").then()
                .statusCode(201);
        return UUID.fromString(asOperator().post("/experiments/" + experiment + "/runs").then().statusCode(202)
                .extract().path("runId"));
    }

    private void status(UUID runId, RunPhase phase) {
        kafka.publish(EventType.RUN_STATUS, runId.toString(), new RunStatus(runId, "test", phase, Instant.now(),
                "executor-test", phase.name().toLowerCase(), List.of("network-namespace/checkout-db"), null), "/test");
    }

    private void verdict(UUID runId, boolean held, SteadyStateStage stage, String message) {
        kafka.publish(EventType.STEADY_STATE_VERDICT, runId.toString(), new SteadyStateVerdict(runId, "test", held,
                Instant.now(), "guardian/test", message, null, held ? null : 0.3, stage), "/test");
    }

    private static JsonPath view(UUID runId) {
        return asOperator().get("/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    /** The phases of the run's history; none before its first step is recorded. */
    private static List<String> history(UUID runId) {
        List<String> phases = view(runId).getList("history.phase");
        return phases == null ? List.of() : phases;
    }
}
