package io.tumult.executor.config;

import java.nio.file.Path;
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

    /**
     * Where injections are journaled before they are applied (one JSON file each, removed once reverted), read on
     * start-up to revert what a previous executor left. One directory per executor: it is locked while in use. Must
     * survive a restart of the executor (a host path, not a container's).
     */
    @WithDefault("/var/lib/tumult/executor/journal")
    Path journalDir();

    /**
     * How long after a run's deadline a failing revert is still retried (with back-off) before the run is reported
     * {@code failed}, naming what is still in place.
     */
    @WithDefault("30s")
    Duration revertGrace();

    /**
     * Prefixes a cgroup's path (from the hierarchy root, e.g. {@code /kubepods/burstable}) must start with for resource
     * attacks to start stressors in it. The default allows only cgroups named {@code /tumult...}, made for chaos; add
     * {@code /kubepods} for pods, or {@code /} to stress the whole host. A cgroup that contains the executor itself is
     * refused whatever this says (except {@code /}, the whole host, when listed).
     */
    @WithDefault("/tumult")
    List<String> allowedCgroupPrefixes();

    /**
     * Directories under which {@code disk-fill} and {@code io-stress} may write (symbolic links resolved); unset, the
     * default, allows none, so both are refused until an operator names the volumes that may be filled.
     */
    Optional<List<String>> allowedPaths();

    /**
     * Regular expressions a process's full command line must match (anywhere) for {@code process-kill} to signal it;
     * unset, the default, allows none. PID 1, the executor and its own descendants are refused whatever this says.
     */
    Optional<List<String>> allowedProcessPatterns();
}
