package io.tumult.scheduler.api;

import java.util.List;

import io.tumult.schemas.json.Violation;

/** Bad input other than an experiment document (query parameters, a hook's body): 400 naming each field. */
public class InvalidInputException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidInputException(String error, List<Violation> violations) {
        super(error);
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
