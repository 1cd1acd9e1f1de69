package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why a run was refused, failed or ended the way it did, for machines (the status's {@code message} is for people).
 * Consumers must tolerate values they do not know: v1 may grow this list.
 */
public enum StatusReason {
    /** The target does not exist. */
    @JsonProperty("target-not-found")
    TARGET_NOT_FOUND,
    /** The target is outside what Tumult may touch, or the executor lacks the rights or tools. */
    @JsonProperty("permission-denied")
    PERMISSION_DENIED,
    /** The executor has no attack for the kind, or the attack does not act on the target's kind. */
    @JsonProperty("unsupported-kind")
    UNSUPPORTED_KIND,
    /** The run would touch more than its blast radius allows. */
    @JsonProperty("blast-radius")
    BLAST_RADIUS,
    /** Acting failed part-way. */
    @JsonProperty("internal")
    INTERNAL,
    /** The run was aborted before its start arrived or before anything was injected. */
    @JsonProperty("aborted-before-start")
    ABORTED_BEFORE_START,
    /** A halt-all was issued after the run. */
    @JsonProperty("halted")
    HALTED,
    /** The start arrived after its deadline. */
    @JsonProperty("stale-start")
    STALE_START,
    /** The executor was shutting down. */
    @JsonProperty("shutting-down")
    SHUTTING_DOWN,
    /** A revert kept failing: part of the fault may still be in place (the message says what). */
    @JsonProperty("revert-failed")
    REVERT_FAILED,
    /** The executor died with the fault in place; it was reverted when the executor (or its guard) came back. */
    @JsonProperty("executor-restart")
    EXECUTOR_RESTART,
    /**
     * The executor's dead-man switch is tripped: it saw no guardian heartbeat, or could not reach Kafka, for too long
     * (or has seen none since it started).
     */
    @JsonProperty("dead-man-switch")
    DEAD_MAN_SWITCH,
    /**
     * Vetoed: the run's steady state did not hold before injection (a guardian's verdict said so), or no verdict
     * came in time. Nothing was injected.
     */
    @JsonProperty("steady-state")
    STEADY_STATE,
    /**
     * Recorded by the scheduler, not sent by executors: the run completed and its fault was reverted, but its steady
     * state did not come back (a guardian's after-revert verdict said so), or no such verdict came in time.
     */
    @JsonProperty("steady-state-not-restored")
    STEADY_STATE_NOT_RESTORED,
    /**
     * In a cluster: a picked pod is on a node where no node agent is ready, so that pod's share would never be carried
     * out or ended there. Reported by a cluster executor; every agent's share is then ended (abort kind
     * {@code peer-failure}).
     */
    @JsonProperty("no-node-agent")
    NO_NODE_AGENT
}
