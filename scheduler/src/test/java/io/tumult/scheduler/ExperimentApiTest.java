package io.tumult.scheduler;

import static io.tumult.scheduler.Api.asOperator;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.TumultStackResource;

/** The experiment API over a real PostgreSQL (migrated by Flyway) and a real broker. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class ExperimentApiTest {

    static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static String yaml(String name) {
        return """
                apiVersion: tumult.io/v1
                kind: Experiment
                metadata: { name: %s, labels: { team: shop } }
                spec:
                  hypothesis: "Checkout survives"
                  target: { kind: network-namespace, name: checkout-db }
                  attack: { kind: network-loss, percent: 100 }
                  duration: 60s
                  autoAbort: [ { metric: http_error_rate, op: ">", threshold: 0.05, window: 5s } ]
                """.formatted(name);
    }

    @Test
    void shouldStoreAYamlExperimentAndReturnItAsJson() {
        // When
        asOperator().contentType("application/yaml").body(bytes(yaml("api-yaml")))
                .post("/experiments")
                .then().statusCode(201)
                .header("Location", containsString("/experiments/api-yaml"))
                .body("spec.duration", equalTo("60s"));

        // Then
        asOperator().get("/experiments/api-yaml").then().statusCode(200)
                .body("metadata.labels.team", equalTo("shop"))
                .body("spec.autoAbort[0].aggregate", equalTo("avg"));
        asOperator().get("/experiments").then().statusCode(200).body("metadata.name", hasItem("api-yaml"));
    }

    @Test
    void shouldStoreAJsonExperimentAndRefuseADuplicateName() {
        // Given
        String json = """
                {"apiVersion":"tumult.io/v1","kind":"Experiment","metadata":{"name":"api-json"},
                 "spec":{"target":{"kind":"network-namespace","name":"db"},"attack":{"kind":"network-loss","percent":10},
                 "duration":"30s"}}""";
        asOperator().contentType("application/json").body(bytes(json)).post("/experiments").then().statusCode(201);

        // When / Then
        asOperator().contentType("application/json").body(bytes(json)).post("/experiments").then().statusCode(409)
                .body("error", containsString("exists already"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "duration: 60s                    | duration: sixty                                | $.spec.duration",
            "percent: 100                     | percent: 100, jitter: 1                        | $.spec.attack.jitter",
            "duration: 60s                    | duration: 60s\\n  schedule: { cron: \"99 * * * *\" }   | $.spec.schedule.cron",
            "duration: 60s                    | duration: 60s\\n  schedule: { cron: \"0 * * * *\", timezone: Mars/Olympus } | $.spec.schedule.timezone",
            "target: { kind: network-namespace, name: checkout-db } | target: { kind: pod }  | $.spec.target.namespace",
            "target: { kind: network-namespace, name: checkout-db } | target: { kind: pod, namespace: shop, labelSelector: \"app in (cart\" } | $.spec.target",
            "attack: { kind: network-loss, percent: 100 } | attack: { kind: scale-down, replicas: 0 } | $.spec.target.kind" })
    void shouldAnswer400NamingTheOffendingField(String from, String to, String path) {
        // Given
        String bad = yaml("api-bad").replace(from.trim(), to.trim().replace("\\n", "\n"));

        // When / Then
        asOperator().contentType("application/yaml").body(bytes(bad)).post("/experiments")
                .then().statusCode(400)
                .body("error", equalTo("invalid experiment"))
                .body("violations.path", hasItem(path))
                .body(not(containsString("Exception")));
        asOperator().get("/experiments/api-bad").then().statusCode(404);
    }

    @Test
    void shouldAnswer400ForMalformedYamlAndAnEmptyBody() {
        asOperator().contentType("application/yaml").body(bytes("spec: { target: [ unclosed")).post("/experiments")
                .then().statusCode(400).body("violations[0].message", containsString("not well-formed"));
        asOperator().contentType("application/yaml").body(bytes("")).post("/experiments")
                .then().statusCode(400).body("violations[0].path", equalTo("$"));
    }

    @Test
    void shouldAnswer415ForAnUnknownContentTypeAnd404ForAnUnknownName() {
        asOperator().contentType("text/csv").body(bytes("a,b")).post("/experiments")
                .then().statusCode(415).body("error", containsString("application/yaml"));
        asOperator().get("/experiments/no-such-experiment").then().statusCode(404)
                .body("error", containsString("no-such-experiment"));
        asOperator().get("/runs/not-a-uuid").then().statusCode(404);
        asOperator().get("/experiments/no-such-experiment/skipped-fires").then().statusCode(404)
                .body("error", containsString("no-such-experiment"));
    }

    @Test
    void shouldAnswer400NamingABadLimitOfSkippedFires() {
        asOperator().contentType("application/yaml").body(bytes(yaml("skips-listed"))).post("/experiments").then()
                .statusCode(201);

        asOperator().get("/experiments/skips-listed/skipped-fires?limit=0").then().statusCode(400)
                .body("violations[0].path", equalTo("query.limit"));
        asOperator().get("/experiments/skips-listed/skipped-fires?limit=many").then().statusCode(400)
                .body("violations[0].path", equalTo("query.limit"));
        asOperator().get("/experiments/skips-listed/skipped-fires").then().statusCode(200).body("size()", equalTo(0));
    }
}
