package io.tumult.executor.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.tumult.executor.failsafe.FailSafe;

/**
 * Live while the fail-safe switches watch: the thread that reads aborts and heartbeats, and the dead-man switch's
 * ticks. Both survive a lost Kafka (that trips the switch, it does not kill them); if either stops, aborts would go
 * unseen, so the container is restarted (and its start-up recovery reverts what was in place).
 */
@Liveness
@ApplicationScoped
public class FailSafeLiveness implements HealthCheck {

    static final String NAME = "tumult-executor-fail-safe";

    private final FailSafe failSafe;

    FailSafeLiveness(FailSafe failSafe) {
        this.failSafe = failSafe;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(failSafe.watching()).build();
    }
}
