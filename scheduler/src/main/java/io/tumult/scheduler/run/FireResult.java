package io.tumult.scheduler.run;

import java.util.UUID;

/**
 * What a fire did: started a run, or skipped with a reason.
 *
 * @param runId the run started; null when skipped
 * @param skipped why nothing was started; null when a run started
 */
public record FireResult(UUID runId, String skipped) {

    static FireResult started(UUID runId) {
        return new FireResult(runId, null);
    }

    static FireResult skipped(String why) {
        return new FireResult(null, why);
    }
}
