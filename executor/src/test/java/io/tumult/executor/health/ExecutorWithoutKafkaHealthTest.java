package io.tumult.executor.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tumult.local.FreePort;

/**
 * An executor whose Kafka does not answer (a port nothing listens on): it cannot read the abort topic, so it is not
 * ready, but it is live (a restart would not bring Kafka back, and the fail-safe keeps watching).
 */
@QuarkusTest
@TestProfile(ExecutorWithoutKafkaHealthTest.NoKafka.class)
class ExecutorWithoutKafkaHealthTest {

    public static class NoKafka implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:" + FreePort.pick());
        }
    }

    @Test
    void shouldBeLiveButNotReadyWhileTheAbortTopicCannotBeRead() {
        // When / Then
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == '" + StartUpReadiness.NAME + "' }.data.'safety-feed'",
                        equalTo("reading the abort topic and run statuses"));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == '" + FailSafeLiveness.NAME + "' }.status", equalTo("UP"));
    }
}
