package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Objects;

/**
 * A recurring window in which no run may be active or start: it opens at each fire time of {@code cron} and stays
 * open for {@code duration}. When it opens, runs in progress are aborted (reason {@code blackout}); fires while it is
 * open are skipped.
 *
 * @param cron when the window opens, in the same forms as {@link Schedule#cron()}
 * @param duration how long it stays open
 */
public record Blackout(String cron, Duration duration) {

    public Blackout {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
    }
}
