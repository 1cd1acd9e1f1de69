package io.tumult.executor.kubernetes;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tumult.local.FreePort;

/**
 * {@code GET /blast-radius} answers the policy the configuration sets, {@code kube-system} always among the protected
 * namespaces. No broker (a port nothing listens on) and no Kubernetes API: the endpoint needs neither.
 */
@QuarkusTest
@TestProfile(BlastRadiusResourceTest.Configured.class)
class BlastRadiusResourceTest {

    public static class Configured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + FreePort.pick(),
                    "tumult.executor.kubernetes.role", "cluster",
                    "tumult.executor.kubernetes.protected-namespaces", "payments,billing",
                    "tumult.executor.kubernetes.allowed-namespaces", "shop,web",
                    "tumult.executor.kubernetes.opt-in-label", "chaos.example.com/victim=yes",
                    "tumult.executor.kubernetes.opt-in-annotation", "chaos.example.com/consent=granted",
                    "tumult.executor.kubernetes.max-targets", "3",
                    "tumult.executor.kubernetes.max-percentage", "25");
        }
    }

    @Test
    void shouldAnswerTheConfiguredPolicy() {
        // When / Then
        given().get("/blast-radius").then().statusCode(200)
                .body("role", equalTo("CLUSTER"))
                .body("policy.protectedNamespaces", containsInAnyOrder("kube-system", "payments", "billing"))
                .body("policy.allowedNamespaces", containsInAnyOrder("shop", "web"))
                .body("policy.requireOptIn", equalTo(true))
                .body("policy.optInLabel", equalTo("chaos.example.com/victim=yes"))
                .body("policy.optInAnnotation", equalTo("chaos.example.com/consent=granted"))
                .body("policy.maxTargets", equalTo(3))
                .body("policy.maxPercentage", equalTo(25));
    }
}
