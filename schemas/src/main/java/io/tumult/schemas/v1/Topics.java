package io.tumult.schemas.v1;

/**
 * Kafka topic names of the v1 contract. Every service and the local stack take them from here.
 * The README's topic table documents the key and retention of each.
 */
public final class Topics {

    /** {@link RunStarted}, keyed by run id. Scheduler to executors and guardian. */
    public static final String RUN_START = "tumult.runs.start";

    /**
     * {@link RunAborted}, keyed by run id or {@code *} for halt-all, and {@link HaltReleased} keyed {@code *}.
     * Compacted and deleted.
     */
    public static final String RUN_ABORT = "tumult.runs.abort";

    /** {@link RunStatus}, keyed by run id. Executors to scheduler and guardian. */
    public static final String RUN_STATUS = "tumult.runs.status";

    /**
     * {@link RunClaimed}, keyed by run id: executors' claims on runs, the first of each run wins. Executors only;
     * kept at least as long as executors look back over it.
     */
    public static final String RUN_CLAIMS = "tumult.runs.claims";

    /**
     * {@link SteadyStateVerdict}, keyed by run id: the guardian's verdict on a run's steady state before injection.
     * Guardian to executors, which read it without a group (any executor may carry the run out).
     */
    public static final String RUN_VERDICTS = "tumult.runs.verdicts";

    /** {@link MetricSample}, keyed by run id or series name. Short retention. */
    public static final String METRICS = "tumult.metrics";

    /** {@link GuardianHeartbeat}, keyed by guardian id. Compacted. */
    public static final String GUARDIAN_HEARTBEAT = "tumult.guardian.heartbeat";

    /** {@link DryRunRequested}, keyed by request id. Scheduler to one executor. Short retention. */
    public static final String DRY_RUN_REQUESTS = "tumult.dryrun.requests";

    /** {@link DryRunResult}, keyed by request id. Executor to the scheduler. Short retention. */
    public static final String DRY_RUN_RESULTS = "tumult.dryrun.results";

    /**
     * {@link SchedulerStarted}, keyed by the replica's Quartz instance id: each scheduler replica's start. Sent through
     * the run-start channel, whose first send it takes on. Read by people; a week's retention.
     */
    public static final String SCHEDULER_STARTS = "tumult.scheduler.starts";

    /** Records a consumer could not process, with the reason in {@code dead-letter-*} headers. */
    public static final String DEAD_LETTER = "tumult.dlq";

    private Topics() {
    }
}
