package io.tumult.scheduler;

import static io.tumult.scheduler.Api.anonymous;
import static io.tumult.scheduler.Api.as;
import static io.tumult.scheduler.Api.asAdmin;
import static io.tumult.scheduler.Api.asOperator;
import static io.tumult.scheduler.Api.asViewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.api.Roles;
import io.tumult.scheduler.run.FireResult;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;

/**
 * Run now, abort one run, halt-all and its release on a real broker, recorded in a real PostgreSQL; who triggered and
 * who aborted each run; run queries; experiment versions; stored documents read as stored.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class ControlAndAuditTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String dbPassword;

    @Inject
    RunLauncher launcher;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldRecordWhoStartedARunAndPassItWhenItCompletesWithoutAnAbort() {
        // Given
        create("audit-pass");

        // When
        var accepted = as("bob", Roles.OPERATOR).post("/experiments/audit-pass/runs").then().statusCode(202).extract()
                .jsonPath();
        String runId = accepted.getString("runId");
        assertThat(accepted.getString("location")).isEqualTo("/runs/" + runId);
        publishStatus(UUID.fromString(runId), "audit-pass", RunPhase.INJECTED, null);
        publishStatus(UUID.fromString(runId), "audit-pass", RunPhase.REVERTED, null);

        // Then
        await().atMost(WAIT).untilAsserted(() -> assertThat(run(runId).getString("status")).isEqualTo("PASSED"));
        JsonPath run = run(runId);
        assertThat(run.getString("trigger")).isEqualTo("manual");
        assertThat(run.getString("triggeredBy")).isEqualTo("user:bob");
        assertThat(run.getString("reason.message")).isEqualTo("reverted");
        assertThat(run.getList("history.phase")).containsExactly("injected", "reverted");
    }

    @Test
    void shouldFailARunItsExecutorReportsFailedAndRefuseToAbortItSince() {
        // Given a run in place
        create("audit-fail");
        String runId = asOperator().post("/experiments/audit-fail/runs").then().statusCode(202).extract()
                .path("runId");
        publishStatus(UUID.fromString(runId), "audit-fail", RunPhase.INJECTED, null);

        // When its executor reports it failed
        publishStatus(UUID.fromString(runId), "audit-fail", RunPhase.FAILED, null);

        // Then it is FAILED, with the executor's word for it, and it is over: an abort is refused naming why
        await().atMost(WAIT).untilAsserted(() -> assertThat(run(runId).getString("status")).isEqualTo("FAILED"));
        assertThat(run(runId).getString("reason.message")).isEqualTo("failed");
        assertThat(run(runId).getList("history.phase")).containsExactly("injected", "failed");
        asOperator().post("/runs/" + runId + "/abort").then().statusCode(409).body("error", containsString("FAILED"));
    }

    @Test
    void shouldQueryRunsByExperimentStatusTriggerAndTimeWithPaging() {
        // Given: three manual runs of one experiment (Allow, so they may overlap)
        create("audit-query", "  schedule: { cron: \"0 0 1 1 *\", concurrency: Allow }\n");
        Instant before = Instant.now().minusSeconds(1);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            ids.add(asOperator().post("/experiments/audit-query/runs").then().statusCode(202).extract().path("runId"));
        }
        publishStatus(UUID.fromString(ids.get(0)), "audit-query", RunPhase.REFUSED, null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(run(ids.get(0)).getString("status")).isEqualTo("REFUSED"));

        // When / Then
        asViewer().queryParam("experiment", "audit-query").queryParam("size", 2).get("/runs").then().statusCode(200)
                .body("total", equalTo(3)).body("items.size()", equalTo(2)).body("page", equalTo(0));
        asViewer().queryParam("experiment", "audit-query").queryParam("size", 2).queryParam("page", 1).get("/runs")
                .then().statusCode(200).body("items.size()", equalTo(1));
        asViewer().queryParam("experiment", "audit-query").queryParam("status", "refused").get("/runs").then()
                .statusCode(200).body("total", equalTo(1)).body("items[0].runId", equalTo(ids.get(0)));
        asViewer().queryParam("experiment", "audit-query").queryParam("trigger", "manual")
                .queryParam("from", before.toString()).queryParam("to", Instant.now().plusSeconds(1).toString())
                .get("/runs").then().statusCode(200).body("total", equalTo(3));
        asViewer().queryParam("experiment", "audit-query").queryParam("to", before.toString()).get("/runs").then()
                .statusCode(200).body("total", equalTo(0));
    }

    @Test
    void shouldAnswer400NamingEachBadQueryParameter() {
        asViewer().queryParam("status", "EXPLODED").queryParam("from", "yesterday").queryParam("size", "0")
                .get("/runs").then().statusCode(400)
                .body("error", equalTo("invalid query"))
                .body("violations.path", hasItem("query.status"))
                .body("violations.path", hasItem("query.from"))
                .body("violations.path", hasItem("query.size"));
    }

    @Test
    void shouldPublishAnAbortThatNamesWhoAskedAndRecordIt() {
        // Given
        create("audit-abort");
        String runId = asOperator().post("/experiments/audit-abort/runs").then().statusCode(202).extract().path("runId");

        // When
        as("carol", Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"customer call\"}")
                .post("/runs/" + runId + "/abort").then().statusCode(202).body("abortedBy", equalTo("user:carol"));

        // Then: on the abort topic, keyed by the run, naming who asked
        var records = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().anyMatch(r -> runId.equals(r.key())), WAIT);
        var record = records.stream().filter(r -> runId.equals(r.key())).findFirst().orElseThrow();
        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, record.value());
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(EventType.RUN_ABORTED.ceType());
        assertThat(abort.source()).isEqualTo("user:carol");
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.MANUAL);
        assertThat(abort.reason().message()).isEqualTo("customer call");

        // When: the executor reports the abort
        publishStatus(UUID.fromString(runId), "audit-abort", RunPhase.ABORTED, abort.reason());

        // Then
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath run = run(runId);
            assertThat(run.getString("status")).isEqualTo("ABORTED");
            assertThat(run.getString("abortedBy")).isEqualTo("user:carol");
            assertThat(run.getString("reason.kind")).isEqualTo("manual");
            assertThat(run.getString("reason.message")).isEqualTo("customer call");
        });
        asOperator().post("/runs/" + runId + "/abort").then().statusCode(409).body("error", containsString("ended"));
        asOperator().post("/runs/" + UUID.randomUUID() + "/abort").then().statusCode(404);
    }

    @Test
    void shouldHaltEverythingRefuseNewRunsAndReleaseOnlyForAnAdmin() throws Throwable {
        // Given
        create("audit-halt");
        String active = asOperator().post("/experiments/audit-halt/runs").then().statusCode(202).extract().path("runId");
        try {
            // When
            as("dave", Roles.OPERATOR).contentType("application/json").body("{\"reason\":\"incident 42\"}")
                    .post("/halt").then().statusCode(200).body("halted", equalTo(true)).body("by", equalTo("user:dave"));

            // Then: the halt is on the abort topic keyed *, the active run records it, new runs are refused
            var halt = kafka.read(Topics.RUN_ABORT, rs -> haltsOf(rs).size() >= 1, WAIT);
            RunAborted published = haltsOf(halt).get(haltsOf(halt).size() - 1);
            assertThat(published.source()).isEqualTo("user:dave");
            assertThat(published.reason().message()).isEqualTo("incident 42");
            assertThat(run(active).getString("abortedBy")).isEqualTo("halt-all by user:dave");
            asViewer().get("/halt").then().statusCode(200).body("halted", equalTo(true))
                    .body("reason", equalTo("incident 42"));
            asOperator().post("/experiments/audit-halt/runs").then().statusCode(409)
                    .body("error", containsString("halt-all"));
            Instant fireTime = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            FireResult cron = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("audit-halt",
                    fireTime));
            assertThat(cron.runId()).as("a cron fire under the halt").isNull();
            assertThat(cron.skipped()).contains("halt-all");

            // When / Then: an operator may not release it
            asOperator().post("/halt/release").then().statusCode(403);
        } finally {
            // When: an admin releases it
            asAdmin().contentType("application/json").body("{\"reason\":\"resolved\"}").post("/halt/release").then()
                    .statusCode(200).body("halted", equalTo(false));
        }

        // Then: the release is on the abort topic keyed *, with its own type, and runs start again
        var records = kafka.read(Topics.RUN_ABORT, rs -> releasesOf(rs).stream().anyMatch(r -> "resolved".equals(
                r.message())), WAIT);
        HaltReleased release = releasesOf(records).stream().filter(r -> "resolved".equals(r.message())).findFirst()
                .orElseThrow();
        assertThat(release.source()).isEqualTo("user:ada");
        asViewer().get("/halt").then().statusCode(200).body("halted", equalTo(false));
        publishStatus(UUID.fromString(active), "audit-halt", RunPhase.ABORTED, null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(run(active).getString("status")).isEqualTo("ABORTED"));
        asOperator().post("/experiments/audit-halt/runs").then().statusCode(202);
        asAdmin().post("/halt/release").then().statusCode(409).body("error", containsString("no halt"));
    }

    @Test
    void shouldKeepEveryVersionWithWhoChangedWhatAndWhen() {
        // Given
        as("erin", Roles.OPERATOR).contentType("application/yaml").body(bytes(ExperimentApiTest.yaml("audit-versions")))
                .post("/experiments").then().statusCode(201);

        // When
        as("frank", Roles.OPERATOR).contentType("application/yaml")
                .body(bytes(ExperimentApiTest.yaml("audit-versions").replace("duration: 60s", "duration: 90s")))
                .put("/experiments/audit-versions").then().statusCode(200);
        as("erin", Roles.OPERATOR).delete("/experiments/audit-versions").then().statusCode(204);

        // Then
        JsonPath versions = asViewer().get("/experiments/audit-versions/versions").then().statusCode(200).extract()
                .jsonPath();
        assertThat(versions.getList("version", Integer.class)).containsExactly(1, 2, 3);
        assertThat(versions.getList("change")).containsExactly("CREATED", "REPLACED", "DELETED");
        assertThat(versions.getList("changedBy")).containsExactly("user:erin", "user:frank", "user:erin");
        assertThat(versions.getList("changedPaths[1]")).containsExactly("$.spec.duration");
        assertThat(versions.getString("changedAt[0]")).isNotBlank();
        asViewer().get("/experiments/audit-versions/versions/1").then().statusCode(200)
                .body("document.spec.duration", equalTo("60s"));
        asViewer().get("/experiments/audit-versions/versions/2").then().statusCode(200)
                .body("document.spec.duration", equalTo("90s"));
        asViewer().get("/experiments/never-was/versions").then().statusCode(404);
    }

    @Test
    void shouldStoreOneOfManyConcurrentCreatesOfANameAndRefuseTheRestWith409() throws Exception {
        // Given
        byte[] body = bytes(ExperimentApiTest.yaml("audit-race"));
        Callable<Integer> post = () -> asOperator().contentType("application/yaml").body(body).post("/experiments")
                .then().extract().statusCode();

        // When
        List<Integer> statuses = new ArrayList<>();
        var pool = Executors.newFixedThreadPool(6);
        try {
            for (var f : pool.invokeAll(List.of(post, post, post, post, post, post))) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        // Then: one stored, the rest 409 naming the field; one version
        assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
        asViewer().get("/experiments/audit-race/versions").then().statusCode(200).body("size()", equalTo(1));
        asOperator().contentType("application/yaml").body(body).post("/experiments").then().statusCode(409)
                .body("violations[0].path", equalTo("$.metadata.name"));
    }

    @Test
    void shouldLoadAndRunAStoredExperimentThatTodaysSchemaWouldReject() throws Exception {
        // Given: a document stored by an older version: a field since dropped, a label that is not a string
        String stored = """
                {"apiVersion":"tumult.io/v1","kind":"Experiment","metadata":{"name":"audit-legacy","labels":{"tier":5}},
                 "spec":{"retiredField":"kept from an older version","target":{"kind":"network-namespace","name":"db"},
                 "attack":{"kind":"network-loss","percent":10},"duration":"30s"}}""";
        asOperator().contentType("application/json").body(bytes(stored)).post("/experiments").then().statusCode(400)
                .body("violations.path", hasItem("$.metadata.labels.tier"));
        try (var c = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
                var insert = c.prepareStatement("insert into experiment (name, document, created_at, updated_at)"
                        + " values ('audit-legacy', ?, now(), now())")) {
            insert.setString(1, stored);
            insert.executeUpdate();
        }

        // When
        asViewer().get("/experiments/audit-legacy").then().statusCode(200).body("spec.duration", equalTo("30s"));
        String runId = asOperator().post("/experiments/audit-legacy/runs").then().statusCode(202).extract()
                .path("runId");

        // Then: its run-start carries the spec as stored
        var records = kafka.read(Topics.RUN_START, rs -> rs.stream().anyMatch(r -> runId.equals(r.key())), WAIT);
        ConsumerRecord<String, byte[]> record = records.stream().filter(r -> runId.equals(r.key())).findFirst()
                .orElseThrow();
        RunStarted start = TumultJson.decode(EventType.RUN_STARTED, record.value());
        assertThat(start.experiment()).isEqualTo("audit-legacy");
        assertThat(start.spec().duration()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseWritesToAnonymousCallersOnTheNewEndpoints() {
        anonymous().post("/halt").then().statusCode(401);
        anonymous().post("/halt/release").then().statusCode(401);
        anonymous().post("/runs/" + UUID.randomUUID() + "/abort").then().statusCode(401);
    }

    private static void create(String name) {
        create(name, "");
    }

    private static void create(String name, String extra) {
        asOperator().contentType("application/yaml").body(bytes(ExperimentApiTest.yaml(name) + extra))
                .post("/experiments").then().statusCode(201);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void publishStatus(UUID runId, String experiment, RunPhase phase, AbortReason reason) {
        kafka.publish(EventType.RUN_STATUS, runId.toString(), new RunStatus(runId, experiment, phase, Instant.now(),
                "executor-test", phase.name().toLowerCase(), List.of(), reason), "/test");
    }

    private static JsonPath run(String runId) {
        return asViewer().get("/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    private static List<RunAborted> haltsOf(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> RunAborted.ALL_RUNS.equals(r.key())
                && EventType.RUN_ABORTED.ceType().equals(EventClient.header(r, "ce_type")))
                .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).toList();
    }

    private static List<HaltReleased> releasesOf(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> HaltReleased.KEY.equals(r.key())
                && EventType.HALT_RELEASED.ceType().equals(EventClient.header(r, "ce_type")))
                .map(r -> TumultJson.decode(EventType.HALT_RELEASED, r.value())).toList();
    }
}
