package io.tumult.scheduler.dryrun;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Dry runs, under {@code tumult.scheduler.dry-run}. */
@ConfigMapping(prefix = "tumult.scheduler.dry-run")
public interface DryRunConfig {

    /** How long {@code POST /experiments/{name}/dry-run} waits for an executor's answer before it answers 504. */
    @WithDefault("10s")
    Duration timeout();
}
