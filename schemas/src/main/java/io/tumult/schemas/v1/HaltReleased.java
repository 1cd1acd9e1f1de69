package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;

/**
 * Ends a halt-all: executors take new runs again. Published on {@link Topics#RUN_ABORT} keyed by
 * {@link RunAborted#ALL_RUNS} ({@code *}), like the halt it releases, so compaction keeps only the latest
 * halt-or-release and an executor that reads the abort topic on start-up knows whether it is halted. Runs issued
 * before the halt stay refused after the release.
 *
 * @param source who released the halt, for example {@code scheduler} or a person's name
 * @param issuedAt when the release was decided
 * @param message why, for people; may be null
 */
public record HaltReleased(String source, Instant issuedAt, String message) {

    /** The key a release travels under on the abort topic: the halt-all key. */
    public static final String KEY = RunAborted.ALL_RUNS;

    public HaltReleased {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(issuedAt, "issuedAt");
        if (source.isBlank()) {
            throw new IllegalArgumentException("source must not be blank");
        }
    }
}
