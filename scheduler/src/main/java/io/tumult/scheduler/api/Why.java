package io.tumult.scheduler.api;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tumult.schemas.json.Violation;

/**
 * The body of an abort, a halt or a release: why, in a sentence. The body is optional: none, or {@code
 * {"reason": "..."}}.
 */
public record Why(String reason) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The reason in {@code body}, or null for an empty body; 400 naming the field when it is not such a document. */
    static String reasonIn(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(body, Why.class).reason();
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("invalid body", List.of(new Violation("$",
                    "expected {\"reason\": \"...\"} or no body: " + e.getOriginalMessage())));
        }
    }
}
