package io.tumult.guardian.bridges;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * The alert receivers, posted to as Grafana would (its webhook body is the documented sample in
 * {@code grafana-webhook-contact-point.json}, from Grafana's docs; Grafana is not installable here), with the aborts
 * read back from the real broker. Alertmanager itself is in {@link AlertmanagerBridgeTest}.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@WithTestResource(ObservabilityResource.class)
class AlertReceiversTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRAFANA_SECRET = "grafana-test-secret";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldAbortEveryLiveRunOfTheExperimentAGrafanaAlertNamesOnce() throws IOException {
        // Given: two live runs of one experiment, one of another
        String experiment = "exp-" + UUID.randomUUID().toString().substring(0, 8);
        UUID first = startRun(experiment, new NetworkNamespaceTarget("victim"));
        UUID second = startRun(experiment, new NetworkNamespaceTarget("victim"));
        UUID other = startRun("other-" + experiment, new NetworkNamespaceTarget("victim"));
        awaitLive(first, second, other);
        String body = grafanaAlert("tumult_experiment", experiment);

        // When: Grafana sends it, and sends it again (a retry, a repeat)
        signed(body, Instant.now()).post("/alerts/grafana").then().statusCode(200)
                .body("firing", equalTo(2)).body("aborted.size()", equalTo(2));
        signed(body, Instant.now().plusSeconds(1)).post("/alerts/grafana").then().statusCode(200)
                .body("duplicates", equalTo(2)).body("aborted.size()", equalTo(0));

        // Then: each of the experiment's runs aborted once (the sample holds two alerts, both naming it), the other
        // run not at all
        var firstAborts = await().atMost(WAIT).until(() -> abortsFor(first), l -> l.size() >= 1);
        await().atMost(WAIT).until(() -> abortsFor(second).size() >= 1);
        assertThat(abortsFor(second)).hasSize(1);
        assertThat(firstAborts).hasSize(1);
        assertThat(abortsFor(other)).isEmpty();
        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, firstAborts.get(0).value());
        assertThat(abort.source()).isEqualTo("alerts/grafana");
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.ALERT);
        assertThat(abort.reason().message()).contains("High memory usage").contains("tumult_experiment=" + experiment);
    }

    @Test
    void shouldRefuseForgedUnsignedStaleAndReplayedGrafanaRequestsAndPublishNothing() throws IOException {
        // Given
        UUID run = UUID.randomUUID();
        String body = grafanaAlert("tumult_run_id", run.toString());
        Instant now = Instant.now();
        signed(body, now).post("/alerts/grafana").then().statusCode(200); // accepted once
        String tampered = body.replace("High memory usage", "Low memory usage");

        // When / Then
        signed(body, now).post("/alerts/grafana").then().statusCode(401).body("error", containsString("replayed"));
        given().contentType("application/json").body(body).post("/alerts/grafana").then().statusCode(401)
                .body("error", containsString("unsigned"));
        signed(body, now.minusSeconds(3600)).post("/alerts/grafana").then().statusCode(401)
                .body("error", containsString("stale"));
        given().contentType("application/json").body(tampered)
                .header("X-Grafana-Alerting-Timestamp", String.valueOf(now.getEpochSecond()))
                .header("X-Grafana-Alerting-Signature", sign(body, now.getEpochSecond()))
                .post("/alerts/grafana").then().statusCode(401).body("error", containsString("does not match"));
        // the one accepted request aborted the run once (both alerts of the sample map to it)
        await().atMost(WAIT).until(() -> abortsFor(run).size() == 1);
        assertThat(abortsFor(run)).hasSize(1);
    }

    @Test
    void shouldRefuseAnAlertmanagerRequestWithoutTheBearerTokenAndPublishNothing() {
        // Given
        UUID run = UUID.randomUUID();
        String body = alertmanagerBody(run, "firing");

        // When / Then
        given().contentType("application/json").body(body).post("/alerts/alertmanager").then().statusCode(401);
        given().contentType("application/json").header("Authorization", "Bearer wrong").body(body)
                .post("/alerts/alertmanager").then().statusCode(401).body("error", containsString("bearer"));
        given().contentType("application/json").auth().preemptive().basic("alertmanager", "x").body(body)
                .post("/alerts/alertmanager").then().statusCode(401);
        // a later accepted request proves the refused ones published nothing before it
        alertmanager(body).then().statusCode(200).body("aborted", equalTo(List.of(run.toString())));
        await().atMost(WAIT).until(() -> abortsFor(run).size() == 1);
        assertThat(abortsFor(run)).hasSize(1);
    }

    @Test
    void shouldDoNothingForAResolvedAlert() {
        // Given
        UUID run = UUID.randomUUID();

        // When
        alertmanager(alertmanagerBody(run, "resolved")).then().statusCode(200).body("resolved", equalTo(1))
                .body("aborted.size()", equalTo(0));

        // Then: a firing one afterwards is the first and only abort
        alertmanager(alertmanagerBody(run, "firing")).then().statusCode(200);
        await().atMost(WAIT).until(() -> abortsFor(run).size() == 1);
        assertThat(abortsFor(run)).hasSize(1);
    }

    @Test
    void shouldAnswer400NamingTheFieldOfAMalformedPayloadAndNeverAStackTrace() {
        // When / Then
        alertmanager(alertmanagerBody(UUID.randomUUID(), "firing").replaceFirst("\"startsAt\":\"[^\"]*\"",
                "\"startsAt\":\"yesterday\"")).then().statusCode(400)
                .body("field", equalTo("$.alerts[0].startsAt")).body(not(containsString("Exception")));
        alertmanager(alertmanagerBody(UUID.randomUUID(), "firing").replace("\"status\":\"firing\"",
                "\"status\":\"burning\"")).then().statusCode(400).body("field", equalTo("$.alerts[0].status"));
        alertmanager(alertmanagerBody(UUID.randomUUID(), "firing").replaceFirst("\"tumult_run_id\":\"[^\"]*\"",
                "\"tumult_run_id\":\"run-7\"")).then().statusCode(400)
                .body("field", equalTo("$.alerts[0].labels.tumult_run_id"));
        alertmanager("{\"alerts\": ").then().statusCode(400).body("field", equalTo("$"))
                .body("error", containsString("not well-formed JSON")).body(not(containsString("at com.")));
        alertmanager("{\"version\":\"4\"}").then().statusCode(400).body("field", equalTo("$.alerts"));
    }

    @Test
    void shouldHaltAllForTumultHaltAll() {
        // When
        alertmanager(alertmanagerBody(null, "firing").replace("\"labels\":{", "\"labels\":{\"tumult_halt\":\"all\","))
                .then().statusCode(200).body("aborted", equalTo(List.of("*")));

        // Then
        await().atMost(WAIT).until(() -> !abortsFor("*").isEmpty());
        assertThat(TumultJson.decode(EventType.RUN_ABORTED, abortsFor("*").get(0).value()).haltsAll()).isTrue();
    }

    @Test
    void shouldAbortTheRunsTargetingTheNamespaceAGrafanaKafkaRecordNames() {
        // Given: Grafana's Kafka REST Proxy contact point; its record has no labels but its default details
        // message lists them
        String namespace = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        UUID inNamespace = startRun("kafka-rest-test", new PodTarget(namespace, null, null, null));
        UUID elsewhere = startRun("kafka-rest-test", new PodTarget("other-" + namespace, null, null, null));
        awaitLive(inNamespace, elsewhere);
        String record = """
                {"records":[{"value":{"description":"[FIRING:1] CheckoutErrors","client":"Grafana",
                 "details":"**Firing**\\n\\nValue: B=0.2\\nLabels:\\n - alertname = CheckoutErrors\\n - tumult_namespace = %s\\nAnnotations:\\n - summary = errors\\n",
                 "alert_state":"alerting","client_url":"http://grafana/alerting/list","incident_key":"%s"}}]}"""
                .formatted(namespace, UUID.randomUUID());

        // When
        kafkaRest(Topics.RUN_ABORT, "application/vnd.kafka.json.v2+json", record).then().statusCode(200)
                .body("offsets.size()", equalTo(1)).body("aborted", equalTo(List.of(inNamespace.toString())));

        // Then
        await().atMost(WAIT).until(() -> abortsFor(inNamespace).size() == 1);
        assertThat(abortsFor(elsewhere)).isEmpty();
        assertThat(TumultJson.decode(EventType.RUN_ABORTED, abortsFor(inNamespace).get(0).value()).source())
                .isEqualTo("alerts/kafka-rest");
    }

    @Test
    void shouldAnswerTheKafkaRestProxyContactPointInItsOwnErrorFormat() {
        // Given
        String record = "{\"records\":[{\"value\":{\"alert_state\":\"alerting\",\"incident_key\":\"k\"}}]}";

        // When / Then
        kafkaRest("tumult.runs.start", "application/vnd.kafka.json.v2+json", record).then().statusCode(404)
                .body("error_code", equalTo(40401));
        kafkaRest(Topics.RUN_ABORT, "application/vnd.kafka.binary.v2+json", record).then().statusCode(415);
        kafkaRest(Topics.RUN_ABORT, "application/vnd.kafka.json.v2+json", "{\"records\":[{\"value\":{}}]}").then()
                .statusCode(400).body("field", equalTo("$.records[0].value.alert_state"))
                .body("error_code", equalTo(40001));
        given().contentType("application/vnd.kafka.json.v2+json").auth().preemptive().basic("grafana", "wrong")
                .body(record).post("/alerts/kafka/topics/" + Topics.RUN_ABORT).then().statusCode(401)
                .body("error_code", equalTo(40101));
    }

    private String grafanaAlert(String label, String value) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/grafana-webhook-contact-point.json")) {
            ObjectNode payload = (ObjectNode) JSON.readTree(in);
            payload.get("alerts").forEach(a -> {
                ((ObjectNode) a.get("labels")).put(label, value);
                // a fresh alert each time: its identity is fingerprint and start
                ((ObjectNode) a).put("fingerprint", UUID.randomUUID().toString().substring(0, 16));
            });
            return JSON.writeValueAsString(payload);
        }
    }

    private static String alertmanagerBody(UUID run, String status) {
        String labels = run == null ? "\"alertname\":\"Halt\"" : "\"alertname\":\"Breach\",\"tumult_run_id\":\"" + run + "\"";
        return """
                {"receiver":"tumult","status":"%s","alerts":[{"status":"%s","labels":{%s},"annotations":{},
                 "startsAt":"%s","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph",
                 "fingerprint":"%s"}],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},
                 "externalURL":"http://alertmanager","version":"4","groupKey":"{}:{}","truncatedAlerts":0}"""
                .formatted(status, status, labels, "2026-12-01T10:00:00Z",
                        run == null ? UUID.randomUUID().toString().substring(0, 16) : run.toString().substring(0, 16));
    }

    private static io.restassured.response.Response alertmanager(String body) {
        return given().contentType("application/json").header("Authorization", "Bearer "
                + ObservabilityResource.ALERTMANAGER_TOKEN).body(body).post("/alerts/alertmanager");
    }

    private static io.restassured.response.Response kafkaRest(String topic, String contentType, String body) {
        return given().contentType(contentType).auth().preemptive().basic("grafana", "kafka-test-password").body(body)
                .post("/alerts/kafka/topics/" + topic);
    }

    private static RequestSpecification signed(String body, Instant at) {
        return given().contentType("application/json").body(body)
                .header("X-Grafana-Alerting-Timestamp", String.valueOf(at.getEpochSecond()))
                .header("X-Grafana-Alerting-Signature", sign(body, at.getEpochSecond()));
    }

    /** Grafana's hmacConfig: hex(HMAC-SHA256(secret, timestamp + ":" + body)). */
    private static String sign(String body, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(GRAFANA_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private UUID startRun(String experiment, Target target) {
        UUID runId = UUID.randomUUID();
        var attack = target instanceof PodTarget ? new PodKill(0) : new NetworkLoss(100);
        var spec = new ExperimentSpec(null, target, attack, Duration.ofMinutes(5), null, null, List.of(), null);
        kafka.publish(EventType.RUN_STARTED, runId.toString(),
                new RunStarted(runId, experiment, Trigger.MANUAL, Instant.now(), spec), "/test");
        return runId;
    }

    private void awaitLive(UUID... runs) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().get("/alerts/live-runs").then().statusCode(200)
                .extract().jsonPath().getList("runId")).contains(List.of(runs).stream().map(UUID::toString)
                        .toArray(String[]::new)));
    }

    private List<ConsumerRecord<String, byte[]>> abortsFor(UUID run) {
        return abortsFor(run.toString());
    }

    private List<ConsumerRecord<String, byte[]>> abortsFor(String key) {
        return kafka.readAll(Topics.RUN_ABORT).stream().filter(r -> key.equals(r.key())).toList();
    }
}
