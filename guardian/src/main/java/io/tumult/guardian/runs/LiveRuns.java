package io.tumult.guardian.runs;

import java.time.Instant;
import java.util.List;

/**
 * The runs in progress as this guardian knows them from run-starts and run statuses: the one question the bridges
 * (PromQL polling, alert receivers) ask of the guardian's state. Implementations are thread-safe.
 */
public interface LiveRuns {

    /** Every run started and not yet ended (nor past its hard deadline by more than a grace period) at {@code now}. */
    List<LiveRun> live(Instant now);
}
