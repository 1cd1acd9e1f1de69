package io.tumult.guardian.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.tumult.guardian.messaging.GuardianLoop;

/**
 * The evaluating loop's probes. Live while its thread runs: a guardian whose loop died cannot abort anything, so it
 * must be restarted rather than left looking healthy. Ready once the loop has rebuilt the runs of its assigned
 * partitions and judges samples again (after every rebalance).
 */
@ApplicationScoped
public class EvaluatorHealth {

    static final String NAME = "tumult-guardian-evaluator";

    @Produces
    @Liveness
    HealthCheck alive(GuardianLoop loop) {
        return () -> HealthCheckResponse.named(NAME).status(loop.alive()).build();
    }

    @Produces
    @Readiness
    HealthCheck judging(GuardianLoop loop) {
        return () -> {
            var response = HealthCheckResponse.named(NAME);
            if (!loop.alive()) {
                return response.down().withData("loop", "stopped").build();
            }
            return response.status(loop.caughtUp())
                    .withData("loop", loop.caughtUp() ? "judging samples" : "rereading its partitions' runs")
                    .withData("watched", loop.watched())
                    .build();
        };
    }
}
