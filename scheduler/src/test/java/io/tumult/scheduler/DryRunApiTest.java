package io.tumult.scheduler;

import static io.tumult.scheduler.Api.asOperator;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.DryRunResult;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Topics;

/**
 * The scheduler's side of a dry run on the real broker: it asks on tumult.dryrun.requests and answers with what an
 * executor says on tumult.dryrun.results, or 504 naming the request when none does. The test plays the executor
 * (the executor's answering side is tested in the executor, on fabric8's mock server).
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class DryRunApiTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void shouldAnswerWithTheTargetsAnExecutorResolved() {
        // Given: an experiment, and an executor that answers the request it is about to receive
        asOperator().contentType("application/yaml").body(ExperimentApiTest.bytes(ExperimentApiTest.yaml("dry-ok")))
                .post("/experiments").then().statusCode(201);
        var executor = CompletableFuture.runAsync(() -> {
            var requests = kafka.read(Topics.DRY_RUN_REQUESTS, rs -> kafka.events(EventType.DRY_RUN_REQUESTED, rs)
                    .stream().anyMatch(r -> r.experiment().equals("dry-ok")), Duration.ofSeconds(60));
            DryRunRequested request = kafka.events(EventType.DRY_RUN_REQUESTED, requests).stream()
                    .filter(r -> r.experiment().equals("dry-ok")).reduce((a, b) -> b).orElseThrow();
            kafka.publish(EventType.DRY_RUN_RESULT, request.requestId().toString(), new DryRunResult(
                    request.requestId(), "executor-test", Instant.now(), false, List.of("network-namespace/checkout-db"),
                    1, null, "network-loss would act on 1 of 1 candidate(s); nothing was touched"), "/test");
        });

        // When / Then
        asOperator().post("/experiments/dry-ok/dry-run").then().statusCode(200).body("refused", equalTo(false))
                .body("targets", contains("network-namespace/checkout-db")).body("executor", equalTo("executor-test"));
        executor.join();
    }

    @Test
    void shouldAnswer504NamingTheRequestWhenNoExecutorAnswers() {
        // Given
        asOperator().contentType("application/yaml").body(ExperimentApiTest.bytes(ExperimentApiTest.yaml("dry-silent")))
                .post("/experiments").then().statusCode(201);

        // When / Then (no executor runs in this test)
        asOperator().post("/experiments/dry-silent/dry-run").then().statusCode(504)
                .body("error", containsString("no executor answered dry run"))
                .body("error", containsString("dry-silent"));
    }

    @Test
    void shouldAnswer404ForAnUnknownExperiment() {
        asOperator().post("/experiments/no-such/dry-run").then().statusCode(404);
    }
}
