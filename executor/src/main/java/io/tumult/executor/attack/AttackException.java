package io.tumult.executor.attack;

/**
 * Why an attack (or the engine's admission) could not act. The message travels into the run's status message, the
 * reason into its machine-readable {@code reason} (the {@code StatusReason} of the same name).
 */
public class AttackException extends RuntimeException {

    /** Kinds of failure, each mapping to a run outcome. */
    public enum Reason {
        /** The target does not exist: the run is refused. */
        TARGET_NOT_FOUND,
        /** The target is outside what Tumult may ever touch, or the executor lacks the rights: refused. */
        PERMISSION_DENIED,
        /** No attack is registered for the kind: refused. */
        UNSUPPORTED_KIND,
        /** The run would touch more than its blast radius allows: refused. */
        BLAST_RADIUS,
        /** Acting failed part-way: the run failed and was reverted. */
        INTERNAL,
        /** The run was aborted before its start arrived: refused. */
        ABORTED_BEFORE_START,
        /** A halt-all was issued after the run: refused. */
        HALTED,
        /** The start arrived after its deadline: refused. */
        STALE_START,
        /** The executor is shutting down (or has not finished recovering): refused. */
        SHUTTING_DOWN,
        /** The dead-man switch is tripped (no guardian heartbeat or no Kafka for too long): refused. */
        DEAD_MAN_SWITCH,
        /** A picked pod's node has no ready node agent (a cluster executor's check): refused. */
        NO_NODE_AGENT
    }

    private final Reason reason;

    public AttackException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AttackException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether the failure came before any action, so the run is refused rather than failed. */
    public boolean refusesRun() {
        return reason != Reason.INTERNAL;
    }
}
