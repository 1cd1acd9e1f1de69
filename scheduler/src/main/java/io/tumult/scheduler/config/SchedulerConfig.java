package io.tumult.scheduler.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the scheduler, under {@code tumult.scheduler}. */
@ConfigMapping(prefix = "tumult.scheduler")
public interface SchedulerConfig {

    /**
     * How long after its deadline a run that never reported an end still counts as active for a Forbid schedule.
     * Past it, the run no longer blocks new fires.
     */
    @WithDefault("60s")
    Duration staleRunGrace();
}
