package io.tumult.executor.failsafe;

import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;

/**
 * Whether a halt-all holds: set by a {@code *} abort, cleared by a {@link HaltReleased}, both on the abort topic
 * keyed {@code *}. They are applied in the order of that key's partition (the latest wins, as compaction keeps it),
 * not by their {@code issuedAt}: the topic's order is the one every executor sees alike.
 */
final class HaltState {

    private RunAborted halt;

    synchronized void halt(RunAborted abort) {
        halt = abort;
    }

    synchronized void release(HaltReleased release) {
        halt = null;
    }

    /** The halt in force, or null. */
    synchronized RunAborted current() {
        return halt;
    }
}
