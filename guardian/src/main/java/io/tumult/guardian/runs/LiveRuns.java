package io.tumult.guardian.runs;

import java.time.Instant;
import java.util.List;

/**
 * The runs in progress in the whole system, whichever guardian replica evaluates them: the question the alert
 * receivers ask (an alert names an experiment or a namespace, not a replica). Implementations are thread-safe.
 */
public interface LiveRuns {

    /** Every run started and not yet ended (nor past its hard deadline by more than a grace period) at {@code now}. */
    List<LiveRun> live(Instant now);

    /**
     * Whether {@link #live} knows every run in progress (a view rebuilt at start-up may not yet): an alert that must
     * find runs is refused until then, so that its sender retries rather than aborting too few.
     */
    default boolean complete() {
        return true;
    }
}
