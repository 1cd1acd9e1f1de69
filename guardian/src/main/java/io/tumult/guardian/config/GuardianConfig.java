package io.tumult.guardian.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the guardian, under {@code tumult.guardian}. */
@ConfigMapping(prefix = "tumult.guardian")
public interface GuardianConfig {

    /** This instance's id; aborts it publishes name {@code guardian/<id>} as their source. */
    @WithDefault("guardian-${quarkus.uuid}")
    String id();

    /** How often the heartbeat executors watch is published (the scheduler's resolution is one second). */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /** No data is not healthy: abort a watched run whose condition's metric has been silent this long. */
    @WithDefault("true")
    boolean noDataAbort();

    /** Silence tolerated before a no-data abort; a condition's own window, if longer, is used instead. */
    @WithDefault("5s")
    Duration noDataAfter();

    /** How often silent metrics are looked for (the scheduler's resolution is one second). */
    @WithDefault("1s")
    Duration noDataCheckInterval();
}
