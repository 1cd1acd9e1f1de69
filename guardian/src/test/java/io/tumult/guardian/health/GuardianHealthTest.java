package io.tumult.guardian.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.TumultStackResource;

/** The probes' endpoints against a real broker: ready once the evaluating loop judges samples and a heartbeat landed. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class GuardianHealthTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldBecomeReadyOnceItJudgesSamplesAndItsHeartbeatIsAcknowledged() {
        // When / Then
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItems(HeartbeatReadiness.NAME, EvaluatorHealth.NAME))
                .body("checks.find { it.name == '" + EvaluatorHealth.NAME + "' }.data.loop",
                        equalTo("judging samples")));
    }

    @Test
    void shouldBeLiveAndStarted() {
        // When / Then
        given().get("/q/health/live").then().statusCode(200).body("checks.name", hasItems(EvaluatorHealth.NAME));
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
    }
}
