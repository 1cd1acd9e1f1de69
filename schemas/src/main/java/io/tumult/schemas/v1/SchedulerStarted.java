package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduler replica started: published once by each replica on {@link Topics#SCHEDULER_STARTS}, keyed by
 * {@code replica}. Tells people which replicas started when; no service consumes it.
 *
 * @param replica the replica's Quartz scheduler instance id, as in Quartz's cluster state table and the replica's log
 * @param at when the replica started
 */
public record SchedulerStarted(String replica, Instant at) {

    public SchedulerStarted {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(at, "at");
    }
}
