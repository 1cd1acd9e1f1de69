package io.tumult.guardian.prometheus;

import java.util.List;

/**
 * A query Prometheus did not answer with data. The message always names Prometheus and what went wrong, so it can be
 * shown to people as the reason a condition has no data.
 */
public final class PrometheusException extends RuntimeException {

    /** What kind of failure this was. */
    public enum Reason {
        /** No connection, or the connection broke (Prometheus is down or unreachable). */
        UNREACHABLE,
        /** No answer within the client's timeout. */
        TIMEOUT,
        /** Prometheus answered {@code "status": "error"} (bad query, evaluation timeout, overload...). */
        QUERY_ERROR,
        /** The answer was not Prometheus' HTTP API format (a proxy's error page, truncated JSON...). */
        BAD_RESPONSE
    }

    private final Reason reason;
    private final String errorType;
    private final List<String> warnings;

    PrometheusException(Reason reason, String message, String errorType, List<String> warnings, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.errorType = errorType;
        this.warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public Reason reason() {
        return reason;
    }

    /** Prometheus' {@code errorType} ({@code bad_data}, {@code execution}, {@code timeout}...), or null. */
    public String errorType() {
        return errorType;
    }

    /** Warnings Prometheus sent along with its error. */
    public List<String> warnings() {
        return warnings;
    }
}
