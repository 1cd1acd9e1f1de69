package io.tumult.executor.failsafe;

import java.time.Duration;
import java.time.Instant;

/**
 * The dead-man switch's state, on instants it is given (no clock, no threads: {@link FailSafe} feeds it). It is
 * tripped from start-up until the first heartbeat, and whenever the last heartbeat or the last answer from Kafka is
 * older than the timeout; a gap longer than the timeout that a heartbeat ends between two checks still counts as a
 * trip, so the runs admitted before the gap are reverted even though the next check finds everything fresh.
 */
final class DeadManSwitch {

    /** What a {@link #check} changed. */
    enum Change {
        NONE,
        /** Just tripped: revert every active fault. */
        TRIPPED,
        /** Heartbeat and Kafka are back: starts may be taken again. */
        RESET
    }

    private final Duration timeout;
    private Instant lastHeartbeat;
    private Instant lastKafka;
    private boolean tripped = true;
    private String why = "no guardian heartbeat seen since start-up";
    /** A gap longer than the timeout ended before a check saw it. */
    private String missedGap;

    DeadManSwitch(Duration timeout) {
        this.timeout = timeout;
    }

    synchronized void heartbeat(Instant at) {
        if (lastHeartbeat != null && Duration.between(lastHeartbeat, at).compareTo(timeout) > 0) {
            missedGap = "no guardian heartbeat for " + Duration.between(lastHeartbeat, at).toMillis() + " ms";
        }
        lastHeartbeat = at;
        kafka(at); // a heartbeat came through Kafka
    }

    synchronized void kafka(Instant at) {
        if (lastKafka != null && Duration.between(lastKafka, at).compareTo(timeout) > 0 && missedGap == null) {
            missedGap = "no answer from Kafka for " + Duration.between(lastKafka, at).toMillis() + " ms";
        }
        if (lastKafka == null || at.isAfter(lastKafka)) {
            lastKafka = at;
        }
    }

    /** Re-evaluates at {@code now}; the caller acts on a {@link Change#TRIPPED} by reverting everything. */
    synchronized Change check(Instant now) {
        String stale = staleness(now);
        if (stale == null && missedGap != null && !tripped) {
            stale = missedGap; // trip now, reset at the next check
        }
        missedGap = null;
        if (stale != null) {
            why = stale;
            if (!tripped) {
                tripped = true;
                return Change.TRIPPED;
            }
            return Change.NONE;
        }
        if (tripped) {
            tripped = false;
            return Change.RESET;
        }
        return Change.NONE;
    }

    /**
     * Why no start may be taken at {@code now}, or null: tripped at the last {@link #check}, or already stale (the next
     * check will trip it and revert what runs).
     */
    synchronized String refusalAt(Instant now) {
        return tripped ? why : staleness(now);
    }

    Duration timeout() {
        return timeout;
    }

    /** Whether any heartbeat was seen since start-up. */
    synchronized boolean heardAny() {
        return lastHeartbeat != null;
    }

    private String staleness(Instant now) {
        if (lastHeartbeat == null) {
            return "no guardian heartbeat seen since start-up";
        }
        // heartbeats come through Kafka: when Kafka is what went, say so (its probe answers between heartbeats)
        Duration sinceKafka = Duration.between(lastKafka, now);
        if (sinceKafka.compareTo(timeout) > 0) {
            return "no answer from Kafka for " + sinceKafka.toMillis() + " ms";
        }
        Duration sinceBeat = Duration.between(lastHeartbeat, now);
        if (sinceBeat.compareTo(timeout) > 0) {
            return "no guardian heartbeat for " + sinceBeat.toMillis() + " ms";
        }
        return null;
    }
}
