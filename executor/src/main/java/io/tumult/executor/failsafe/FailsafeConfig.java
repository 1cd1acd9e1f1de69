package io.tumult.executor.failsafe;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The executor's fail-safe switches, under {@code tumult.executor} (beside {@code ExecutorConfig}, in their own
 * mapping so the two grow apart without conflicts).
 */
@ConfigMapping(prefix = "tumult.executor")
public interface FailsafeConfig {

    /**
     * Dead-man switch: with no guardian heartbeat ({@code tumult.guardian.heartbeat}), or no answer from Kafka, for
     * this long, the executor reverts every active fault (the runs end {@code aborted}, naming the dead-man switch)
     * and refuses new starts (reason {@code dead-man-switch}) until both are back. It also refuses from start-up
     * until the first heartbeat. Keep it a few times the guardian's {@code tumult.guardian.heartbeat-interval}
     * (default 1s).
     */
    @WithDefault("3s")
    Duration deadManTimeout();

    /**
     * How far back {@code tumult.runs.status} is read on start-up: a run with a status in this window is treated as
     * seen (its redelivered start is ignored, on this or any executor). Longer than the longest run's duration:
     * older starts are refused as stale anyway.
     */
    @WithDefault("24h")
    Duration statusLookBack();

    /**
     * A run with {@code steadyState} conditions is injected only after a guardian's verdict that they held (on
     * {@code tumult.runs.verdicts}); it is refused (reason {@code steady-state}) when the verdict says they did not,
     * or when none came within its longest steady-state window plus this grace.
     */
    @WithDefault("30s")
    Duration steadyStateGrace();
}
