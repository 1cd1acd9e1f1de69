package io.tumult.scheduler;

import static io.tumult.scheduler.Api.anonymous;
import static io.tumult.scheduler.Api.asOperator;
import static io.tumult.scheduler.Api.asViewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * CD post-deploy hooks on a real broker and PostgreSQL: a signed delivery starts one run per matched experiment, after
 * its delay; forged, unsigned and replayed deliveries get 401, duplicates 200, and none of them starts a run.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class HooksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String GITHUB_SECRET = "It's a Secret to Everybody";
    private static final String GENERIC_SECRET = "test-generic-secret";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldStartOneRunForASignedSuccessfulGitHubDeploymentAndNoneForItsRedelivery() throws IOException {
        // Given: the real deployment_status payload (Hello-World to production), and one experiment it matches
        create("hook-github", "  onDeploy: [ { service: Hello-World, environment: production } ]\n");
        create("hook-github-other", "  onDeploy: [ { service: Hello-World, environment: staging } ]\n");
        byte[] body = sample();
        String delivery = UUID.randomUUID().toString();

        // When
        JsonPath accepted = github(body, sign(GITHUB_SECRET, body), delivery).post("/hooks/github").then()
                .statusCode(202).extract().jsonPath();

        // Then: one run of the matched experiment, triggered by the delivery, on the broker
        assertThat(accepted.getList("runs.experiment")).containsExactly("hook-github");
        String runId = accepted.getString("runs[0].runId");
        var records = kafka.read(Topics.RUN_START, rs -> rs.stream().anyMatch(r -> runId.equals(r.key())), WAIT);
        RunStarted start = TumultJson.decode(EventType.RUN_STARTED, records.stream()
                .filter(r -> runId.equals(r.key())).findFirst().orElseThrow().value());
        assertThat(start.trigger()).isEqualTo(Trigger.WEBHOOK);
        asViewer().get("/runs/" + runId).then().statusCode(200)
                .body("triggeredBy", equalTo("hook:github/" + delivery))
                .body("trigger", equalTo("webhook"));

        // When: GitHub redelivers it
        github(body, sign(GITHUB_SECRET, body), delivery).post("/hooks/github").then().statusCode(200)
                .body("duplicate", equalTo(true));

        // When: someone who captured it sends it again under a fresh X-GitHub-Delivery (the header is not signed)
        github(body, sign(GITHUB_SECRET, body), UUID.randomUUID().toString()).post("/hooks/github").then()
                .statusCode(200).body("duplicate", equalTo(true));

        // Then: still one run
        assertThat(webhookRuns("hook-github")).isEqualTo(1);
        assertThat(webhookRuns("hook-github-other")).isZero();
    }

    @Test
    void shouldRefuseForgedAndUnsignedGitHubDeliveriesAndIgnoreOtherStatesAndEnvironments() throws IOException {
        // Given
        create("hook-github-refused", "  onDeploy: [ { service: Hello-World } ]\n");
        byte[] body = sample();
        byte[] pending = new String(body, StandardCharsets.UTF_8).replace("\"state\": \"success\"", "\"state\": \"pending\"")
                .getBytes(StandardCharsets.UTF_8);
        byte[] qa = new String(body, StandardCharsets.UTF_8).replace("\"environment\": \"production\"",
                "\"environment\": \"qa\"").getBytes(StandardCharsets.UTF_8);

        // When / Then
        github(body, sign("not the secret", body), UUID.randomUUID().toString()).post("/hooks/github").then()
                .statusCode(401).body("error", containsString("X-Hub-Signature-256"));
        github(body, null, UUID.randomUUID().toString()).post("/hooks/github").then().statusCode(401);
        github(pending, sign(GITHUB_SECRET, pending), UUID.randomUUID().toString()).post("/hooks/github").then()
                .statusCode(200).body("ignored", containsString("pending"));
        github(qa, sign(GITHUB_SECRET, qa), UUID.randomUUID().toString()).post("/hooks/github").then()
                .statusCode(200).body("ignored", containsString("qa"));
        assertThat(webhookRuns("hook-github-refused")).isZero();
    }

    @Test
    void shouldStartASignedGenericDeliveryAfterItsDelayAndRefuseReplaysAndReusedKeys() {
        // Given: an experiment that runs 2 s after a deploy of cart to staging labelled team=shop
        create("hook-generic", "  onDeploy: [ { service: cart, environment: staging, labels: { team: shop }, delay: 2s } ]\n");
        String body = "{\"service\":\"cart\",\"environment\":\"staging\",\"labels\":{\"team\":\"shop\",\"sha\":\"f95f8\"}}";
        String key = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();

        // When
        JsonPath accepted = generic(body, now, GENERIC_SECRET, key).post("/hooks/generic").then().statusCode(202)
                .extract().jsonPath();

        // Then: one run, due 2 s after the delivery
        String runId = accepted.getString("runs[0].runId");
        Instant dueAt = Instant.parse(accepted.getString("runs[0].dueAt"));
        assertThat(dueAt).isAfterOrEqualTo(Instant.ofEpochSecond(now).plusSeconds(1));
        await().atMost(WAIT).untilAsserted(() -> asViewer().get("/runs/" + runId).then().statusCode(200)
                .body("triggeredBy", equalTo("hook:generic/" + key)));
        assertThat(Instant.parse(asViewer().get("/runs/" + runId).then().extract().<String> path("fireTime")))
                .isEqualTo(dueAt);

        // When / Then: the same delivery again is a no-op; the key with another body is a conflict
        generic(body, now, GENERIC_SECRET, key).post("/hooks/generic").then().statusCode(200)
                .body("duplicate", equalTo(true));
        generic(body.replace("f95f8", "0000"), now, GENERIC_SECRET, key).post("/hooks/generic").then()
                .statusCode(409);

        // When / Then: the signed delivery replayed within the window under a fresh key (the key is not signed)
        generic(body, now, GENERIC_SECRET, UUID.randomUUID().toString()).post("/hooks/generic").then()
                .statusCode(200).body("duplicate", equalTo(true));

        // When / Then: replayed (signed, but 10 minutes old), forged, unsigned
        generic(body, now - 600, GENERIC_SECRET, UUID.randomUUID().toString()).post("/hooks/generic").then()
                .statusCode(401).body("error", containsString("replay window"));
        generic(body, now, "a guess", UUID.randomUUID().toString()).post("/hooks/generic").then().statusCode(401);
        anonymous().header("X-Tumult-Timestamp", Long.toString(now)).header("Idempotency-Key", "k")
                .contentType("application/json").body(body).post("/hooks/generic").then().statusCode(401);

        // When / Then: a deploy whose labels do not match starts nothing
        String otherTeam = body.replace("\"team\":\"shop\"", "\"team\":\"ops\"");
        assertThat(generic(otherTeam, now, GENERIC_SECRET, UUID.randomUUID().toString()).post("/hooks/generic").then()
                .statusCode(202).extract().jsonPath().getList("runs")).as("runs started").isNullOrEmpty();

        // Then
        assertThat(webhookRuns("hook-generic")).isEqualTo(1);
    }

    @Test
    void shouldStartOneRunForEachExperimentADeliveryMatches() {
        // Given two experiments that run after a deploy of checkout, and one that waits for another service
        create("hook-many-a", "  onDeploy: [ { service: checkout } ]\n");
        create("hook-many-b", "  onDeploy: [ { service: checkout, environment: prod } ]\n");
        create("hook-many-other", "  onDeploy: [ { service: payments } ]\n");
        String body = "{\"service\":\"checkout\",\"environment\":\"prod\"}";

        // When one delivery comes, and then again
        JsonPath accepted = generic(body, Instant.now().getEpochSecond(), GENERIC_SECRET, "many-1").post("/hooks/generic")
                .then().statusCode(202).extract().jsonPath();
        generic(body, Instant.now().getEpochSecond(), GENERIC_SECRET, "many-1").post("/hooks/generic").then()
                .statusCode(200).body("duplicate", equalTo(true));

        // Then exactly one run for each experiment it matches
        assertThat(accepted.getList("runs.experiment")).containsExactlyInAnyOrder("hook-many-a", "hook-many-b");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(webhookRuns("hook-many-a")).isEqualTo(1);
            assertThat(webhookRuns("hook-many-b")).isEqualTo(1);
        });
        assertThat(webhookRuns("hook-many-other")).isZero();
    }

    @Test
    void shouldAnswer400NamingTheFieldOfABadGenericDelivery() {
        long now = Instant.now().getEpochSecond();
        generic("{\"environment\":\"staging\",\"labels\":{\"team\":3}}", now, GENERIC_SECRET, "bad-1")
                .post("/hooks/generic").then().statusCode(400)
                .body("violations.path", org.hamcrest.Matchers.hasItems("$.service", "$.labels.team"));
    }

    @Test
    void shouldTolerateArgoCdRetriesIncludingConcurrentOnesWithOneRun() throws Exception {
        // Given
        create("hook-argocd", "  onDeploy: [ { service: cart, environment: shop } ]\n");
        String body = "{\"app\":\"cart\",\"namespace\":\"shop\",\"revision\":\"" + UUID.randomUUID()
                + "\",\"finishedAt\":\"2026-12-02T06:00:00Z\",\"labels\":{\"team\":\"shop\"}}";
        Callable<Integer> deliver = () -> anonymous().header("Authorization", "Bearer test-argocd-token")
                .contentType("application/json").body(body).post("/hooks/argocd").then().extract().statusCode();

        // When: the notification and four retries, all at once
        List<Integer> statuses = new ArrayList<>();
        var pool = Executors.newFixedThreadPool(5);
        try {
            for (var f : pool.invokeAll(List.of(deliver, deliver, deliver, deliver, deliver))) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        // Then: one accepted, the rest no-ops; one run
        assertThat(statuses).containsOnly(200, 202).filteredOn(s -> s == 202).hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(webhookRuns("hook-argocd")).isEqualTo(1));
        anonymous().header("Authorization", "Bearer wrong").contentType("application/json").body(body)
                .post("/hooks/argocd").then().statusCode(401);
        anonymous().contentType("application/json").body(body).post("/hooks/argocd").then().statusCode(401);
        assertThat(webhookRuns("hook-argocd")).isEqualTo(1);
    }

    private static long webhookRuns(String experiment) {
        return asViewer().queryParam("experiment", experiment).queryParam("trigger", "webhook").get("/runs").then()
                .statusCode(200).extract().jsonPath().getLong("total");
    }

    private static void create(String name, String onDeploy) {
        asOperator().contentType("application/yaml")
                .body(ExperimentApiTest.bytes(ExperimentApiTest.yaml(name) + onDeploy)).post("/experiments").then()
                .statusCode(201);
    }

    private static byte[] sample() throws IOException {
        try (InputStream in = HooksTest.class.getResourceAsStream("/hooks/github-deployment-status.json")) {
            return in.readAllBytes();
        }
    }

    private static RequestSpecification github(byte[] body, String signature, String delivery) {
        var request = anonymous().header("X-GitHub-Event", "deployment_status").header("X-GitHub-Delivery", delivery)
                .contentType("application/json").body(body);
        return signature == null ? request : request.header("X-Hub-Signature-256", signature);
    }

    private static RequestSpecification generic(String body, long timestamp, String secret, String key) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return anonymous().header("X-Tumult-Timestamp", Long.toString(timestamp))
                .header("X-Tumult-Signature", sign(secret, (timestamp + "." + body).getBytes(StandardCharsets.UTF_8)))
                .header("Idempotency-Key", key).contentType("application/json").body(bytes);
    }

    static String sign(String secret, byte[] message) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(message));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
