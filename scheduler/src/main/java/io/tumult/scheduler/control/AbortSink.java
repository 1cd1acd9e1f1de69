package io.tumult.scheduler.control;

import io.smallrye.mutiny.Uni;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;

/** Where aborts, halts and releases go ({@code tumult.runs.abort}); completes once the broker has them. */
public interface AbortSink {

    /** An abort of one run (keyed by its id) or a halt-all (keyed {@code *}). */
    Uni<Void> publish(RunAborted abort);

    /** The end of a halt-all, keyed {@code *}. */
    Uni<Void> publish(HaltReleased release);
}
