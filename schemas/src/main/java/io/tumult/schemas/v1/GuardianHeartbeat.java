package io.tumult.schemas.v1;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The guardian is alive and watching: published on {@link Topics#GUARDIAN_HEARTBEAT} every {@code interval},
 * keyed by guardian id, by the producer that sends its aborts. An executor's dead-man switch reverts what it holds
 * when no heartbeat has arrived for its timeout.
 *
 * @param guardianId id of the guardian instance
 * @param at when it was sent
 * @param interval how often the guardian sends it
 * @param activeRuns how many runs the guardian is watching
 */
public record GuardianHeartbeat(String guardianId, Instant at, Duration interval, int activeRuns) {

    public GuardianHeartbeat {
        Objects.requireNonNull(guardianId, "guardianId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(interval, "interval");
    }
}
