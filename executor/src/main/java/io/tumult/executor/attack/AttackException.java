package io.tumult.executor.attack;

/** Why an attack could not act. The reason travels into the run's status message. */
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
        INTERNAL
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
