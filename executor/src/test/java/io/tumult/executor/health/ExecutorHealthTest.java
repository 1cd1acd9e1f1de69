package io.tumult.executor.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.TumultStackResource;

/** The probes' endpoints against a real broker: live at once, ready once the executor can judge run-starts. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class ExecutorHealthTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldBeLiveWithTheFailSafeWatching() {
        // When / Then
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem(FailSafeLiveness.NAME));
    }

    @Test
    void shouldAnswerTheStartupProbeOnceItsTopicsExist() {
        // When / Then
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/started").then().statusCode(200));
    }

    @Test
    void shouldBecomeReadyOnceRecoveredAndCaughtUpWithTheTopics() {
        // When / Then: the start-up check and the Kafka connector's own (run-start has partitions) all pass
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == '" + StartUpReadiness.NAME + "' }.data.'safety-feed'",
                        equalTo("caught up")));
    }
}
