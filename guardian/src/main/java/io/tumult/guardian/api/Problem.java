package io.tumult.guardian.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A request the guardian refused: why, and for a bad part of it, which one (a JSON path or a parameter name). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String error, String field) {
}
