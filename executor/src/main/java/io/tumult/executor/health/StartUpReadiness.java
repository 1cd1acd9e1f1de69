package io.tumult.executor.health;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.failsafe.FailSafe;
import io.tumult.executor.run.RunEngine;

/**
 * Ready once the executor can judge run-starts: start-up recovery has reverted what a previous executor left, and the
 * fail-safe feed has read the abort topic and the run statuses to their end and seen a guardian heartbeat (or waited
 * the dead-man timeout for one: {@link FailSafe#isReady}). A halt-all or a tripped dead-man switch
 * does not make it unready (it refuses starts, which is its job; readiness only gates rollouts and disruption
 * budgets, and a guardian outage must not block a node drain): both are reported as data. The Kafka connector adds
 * its own checks per channel (the run-start consumer has partitions, the status producer reaches the broker).
 */
@Readiness
@ApplicationScoped
public class StartUpReadiness implements HealthCheck {

    static final String NAME = "tumult-executor-start-up";

    private final BooleanSupplier recovered;
    private final BooleanSupplier caughtUp;
    private final Supplier<AttackException> refusal;

    @Inject
    StartUpReadiness(RunEngine engine, FailSafe failSafe) {
        this(engine::recovered, failSafe::isReady, failSafe::refusal);
    }

    StartUpReadiness(BooleanSupplier recovered, BooleanSupplier caughtUp, Supplier<AttackException> refusal) {
        this.recovered = recovered;
        this.caughtUp = caughtUp;
        this.refusal = refusal;
    }

    @Override
    public HealthCheckResponse call() {
        boolean recoveryDone = recovered.getAsBoolean();
        boolean feedDone = caughtUp.getAsBoolean();
        var response = HealthCheckResponse.named(NAME)
                .status(recoveryDone && feedDone)
                .withData("start-up-recovery", recoveryDone ? "done" : "reverting what a previous executor left")
                .withData("safety-feed", feedDone ? "caught up" : "reading the abort topic and run statuses");
        AttackException refused = refusal.get();
        response.withData("run-starts", refused == null ? "taken" : "refused: " + refused.getMessage());
        return response.build();
    }
}
