package io.tumult.executor.metrics;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.tumult.executor.run.RunEngine;

/**
 * The executor's own metrics on {@code /q/metrics} (Prometheus format): faults that could not be reverted (each also
 * a {@code failed} run status and an ERROR log line naming the undo command), and the runs with faults in place.
 */
@Startup
@ApplicationScoped
public class ExecutorMetrics {

    /** Counter: injections still in place after every revert attempt, since the executor started. */
    public static final String UNREVERTED = "tumult.executor.unreverted.injections";
    /** Gauge: runs with a fault in place or being injected. */
    public static final String ACTIVE_RUNS = "tumult.executor.active.runs";

    ExecutorMetrics(MeterRegistry registry, RunEngine engine) {
        FunctionCounter.builder(UNREVERTED, engine, RunEngine::unrevertedInjections)
                .description("Injections still in place after every revert attempt (a failed run each)")
                .register(registry);
        Gauge.builder(ACTIVE_RUNS, engine, e -> e.activeRuns().size())
                .description("Runs with a fault in place or being injected")
                .register(registry);
    }
}
