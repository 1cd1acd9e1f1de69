package io.tumult.guardian.rules;

import java.time.Instant;
import java.util.List;

/**
 * A watched run as shown to people.
 *
 * @param runId the run
 * @param experiment its experiment
 * @param injected whether its fault was reported in place
 * @param aborted whether this guardian aborted it
 * @param conditions its conditions and their current values
 */
public record WatchedRunView(String runId, String experiment, boolean injected, boolean aborted,
        List<ConditionView> conditions) {

    /**
     * @param condition the condition, readable
     * @param samples samples in its window
     * @param value the window's value; null when it has none
     * @param breachingSince sample time since which it holds, while it holds but must hold longer ({@code for})
     */
    public record ConditionView(String condition, int samples, Double value, Instant breachingSince) {
    }
}
