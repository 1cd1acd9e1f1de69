package io.tumult.guardian.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

    /** How often silent metrics are looked for. */
    @WithDefault("1s")
    Duration noDataCheckInterval();

    /**
     * How far behind the guardian's clock a sample may be timed; an older one is dead-lettered. Bounds how long a
     * backlog stays worth evaluating after an outage.
     */
    @WithDefault("60s")
    Duration lateTolerance();

    /**
     * How far ahead of the guardian's clock a sample may be timed (clock skew); a later one is dead-lettered. No
     * sample can move a window's end further ahead than this.
     */
    @WithDefault("2s")
    Duration futureTolerance();

    /**
     * The consumer group of the guardian's replicas. Every replica reads run-starts, run statuses and samples in this
     * one group with co-partitioned assignment, so that a run's start and its samples (all keyed by run id) meet on
     * one replica.
     */
    @WithDefault("tumult-guardian")
    String group();

    /** How far back run-starts and statuses are reread when partitions are assigned, to resume runs in progress. */
    @WithDefault("24h")
    Duration runLookback();

    /**
     * Longest wait for records in one poll of the evaluating loop: also the longest a task from another thread (the
     * Prometheus bridge's values, {@code GET /runs}) waits while no record arrives. An idle guardian answers
     * {@code GET /runs} in a median 93 ms at 100 ms, 13 ms at 20 ms, for 2-3 % of a core more idle CPU (BENCHMARKS.md,
     * {@code GuardianPollBenchTest}).
     */
    @WithDefault("20ms")
    Duration pollTimeout();

    /** Most records taken per poll. */
    @WithDefault("20000")
    int maxPollRecords();

    /**
     * Global guards: policy-level conditions over global series (samples without a run id, keyed by metric name),
     * each a condition as in an experiment, in JSON, e.g.
     * {@code tumult.guardian.global-guards[0]={"metric":"error_rate","op":">","threshold":0.01,"window":"30s"}}.
     * When one trips, every run is halted (an abort keyed {@code *}); it trips again only after it stopped holding.
     * Their silence is not judged (each replica sees only the global series keyed to its partitions). Every replica
     * must have the same guards.
     */
    Optional<List<String>> globalGuards();

    /** How often evaluated samples' offsets are committed (only once every abort they caused is acknowledged). */
    @WithDefault("1s")
    Duration commitInterval();
}
