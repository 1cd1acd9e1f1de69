package io.tumult.scheduler.control;

/** A control request that cannot be carried out as asked; the REST edge maps the reason to a status. */
public class ControlException extends RuntimeException {

    public enum Reason {
        /** No such run. */
        NOT_FOUND,
        /** The run is over, or there is no halt to release. */
        CONFLICT
    }

    private final Reason reason;

    public ControlException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
