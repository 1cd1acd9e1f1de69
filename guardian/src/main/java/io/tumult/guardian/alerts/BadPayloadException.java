package io.tumult.guardian.alerts;

/** A webhook body that cannot be read as its format: answered 400, naming the field. */
public final class BadPayloadException extends RuntimeException {

    private final String field;

    public BadPayloadException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The offending field, as a JSON path from the body's root ({@code $.alerts[0].startsAt}). */
    public String field() {
        return field;
    }
}
