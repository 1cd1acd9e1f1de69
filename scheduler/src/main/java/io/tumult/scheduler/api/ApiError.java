package io.tumult.scheduler.api;

import java.util.List;

import io.tumult.schemas.json.Violation;

/**
 * Every error answer: a sentence a person can act on, and for bad input each offending field by its path ({@code
 * $.spec.schedule.cron} in a document, {@code query.status} in a query, {@code header.X-Hub-Signature-256}).
 */
public record ApiError(String error, List<Violation> violations) {

    public ApiError {
        violations = violations == null ? List.of() : List.copyOf(violations);
    }

    public static ApiError of(String error) {
        return new ApiError(error, List.of());
    }
}
