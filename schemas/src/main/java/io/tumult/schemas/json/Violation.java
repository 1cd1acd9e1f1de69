package io.tumult.schemas.json;

/**
 * One thing wrong with a document.
 *
 * @param path JSON path of the offending field, for example {@code $.spec.duration}
 * @param message what is wrong with it
 */
public record Violation(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
