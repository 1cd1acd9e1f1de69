package io.tumult.scheduler.hooks;

/** A delivery refused: unauthenticated (401), replayed (401), reused with another body (409), or hook off (404). */
public class HookException extends RuntimeException {

    public enum Reason {
        UNAUTHENTICATED,
        CONFLICT,
        DISABLED
    }

    private final Reason reason;

    public HookException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
