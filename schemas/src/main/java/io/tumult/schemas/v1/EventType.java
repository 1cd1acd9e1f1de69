package io.tumult.schemas.v1;

import java.util.List;
import java.util.Optional;

/**
 * One event of the v1 contract: its CloudEvents {@code type}, its topic, its Java record and its JSON Schema.
 *
 * @param ceType CloudEvents {@code type} attribute ({@code ce_type} header in Kafka binary mode)
 * @param topic Kafka topic the event travels on
 * @param javaType the record the JSON body maps to
 * @param schema file name of the JSON Schema under {@code io/tumult/schemas/v1/}
 */
public record EventType<T>(String ceType, String topic, Class<T> javaType, String schema) {

    public static final EventType<RunStarted> RUN_STARTED = new EventType<>(
            "io.tumult.run.started.v1", Topics.RUN_START, RunStarted.class, "run-started.schema.json");
    public static final EventType<RunAborted> RUN_ABORTED = new EventType<>(
            "io.tumult.run.aborted.v1", Topics.RUN_ABORT, RunAborted.class, "run-aborted.schema.json");
    public static final EventType<RunStatus> RUN_STATUS = new EventType<>(
            "io.tumult.run.status.v1", Topics.RUN_STATUS, RunStatus.class, "run-status.schema.json");
    public static final EventType<MetricSample> METRIC_SAMPLE = new EventType<>(
            "io.tumult.metric.sampled.v1", Topics.METRICS, MetricSample.class, "metric-sample.schema.json");
    public static final EventType<GuardianHeartbeat> GUARDIAN_HEARTBEAT = new EventType<>(
            "io.tumult.guardian.heartbeat.v1", Topics.GUARDIAN_HEARTBEAT, GuardianHeartbeat.class,
            "guardian-heartbeat.schema.json");
    /** Travels on the abort topic keyed {@code *}, beside the halt-all it releases: tell them apart by ce_type. */
    public static final EventType<HaltReleased> HALT_RELEASED = new EventType<>(
            "io.tumult.halt.released.v1", Topics.RUN_ABORT, HaltReleased.class, "halt-released.schema.json");
    public static final EventType<RunClaimed> RUN_CLAIMED = new EventType<>(
            "io.tumult.run.claimed.v1", Topics.RUN_CLAIMS, RunClaimed.class, "run-claimed.schema.json");
    public static final EventType<SteadyStateVerdict> STEADY_STATE_VERDICT = new EventType<>(
            "io.tumult.run.steady-state.v1", Topics.RUN_VERDICTS, SteadyStateVerdict.class,
            "steady-state-verdict.schema.json");

    public static final EventType<DryRunRequested> DRY_RUN_REQUESTED = new EventType<>(
            "io.tumult.dryrun.requested.v1", Topics.DRY_RUN_REQUESTS, DryRunRequested.class,
            "dry-run-requested.schema.json");
    public static final EventType<DryRunResult> DRY_RUN_RESULT = new EventType<>(
            "io.tumult.dryrun.answered.v1", Topics.DRY_RUN_RESULTS, DryRunResult.class, "dry-run-result.schema.json");
    public static final EventType<SchedulerStarted> SCHEDULER_STARTED = new EventType<>(
            "io.tumult.scheduler.started.v1", Topics.SCHEDULER_STARTS, SchedulerStarted.class,
            "scheduler-started.schema.json");

    /** Every event that travels on Kafka. */
    public static final List<EventType<?>> ALL = List.of(RUN_STARTED, RUN_ABORTED, RUN_STATUS, METRIC_SAMPLE,
            GUARDIAN_HEARTBEAT, HALT_RELEASED, RUN_CLAIMED, STEADY_STATE_VERDICT, DRY_RUN_REQUESTED, DRY_RUN_RESULT,
            SCHEDULER_STARTED);

    /** The event type with this CloudEvents {@code type}, if it is part of v1. */
    public static Optional<EventType<?>> byCeType(String ceType) {
        return ALL.stream().filter(t -> t.ceType().equals(ceType)).findFirst();
    }
}
