package io.tumult.schemas.json;

import java.util.List;
import java.util.stream.Collectors;

/** A document that is not valid JSON/YAML, breaks its JSON Schema, or cannot become its record. */
public class InvalidDocumentException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidDocumentException(String what, List<Violation> violations) {
        super(what + " is invalid: " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    /** Every violation found, each naming its field path. */
    public List<Violation> violations() {
        return violations;
    }
}
