package io.tumult.executor.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the executor, under {@code tumult.executor}. */
@ConfigMapping(prefix = "tumult.executor")
public interface ExecutorConfig {

    /**
     * This instance's id, carried in every run status it publishes (a label only: no consumer group or other identity
     * is built from it). Required; when not set, {@link ExecutorIdConfigSource} supplies {@code <hostname>-<pid>}.
     */
    String id();

    /** How many run ids (started or aborted) are remembered to refuse duplicates and late starts. */
    @WithDefault("100000")
    int rememberedRuns();

    /** Longest a single inject or revert command may take before it counts as failed. */
    @WithDefault("10s")
    Duration commandTimeout();

    /** How long shutdown waits for the runs it reverts to be reverted and their statuses to reach Kafka. */
    @WithDefault("5s")
    Duration shutdownPublishTimeout();

    /**
     * Prefixes a network namespace's name must start with to be attacked; unset means any named namespace. The host's
     * (and the executor's own) network namespace is refused whatever this says.
     */
    Optional<List<String>> allowedNamespacePrefixes();
}
