package io.tumult.scheduler.api;

import java.util.UUID;

/** A run was started: its id and where to follow it. */
public record RunAccepted(UUID runId, String location) {

    static RunAccepted of(UUID runId) {
        return new RunAccepted(runId, "/runs/" + runId);
    }
}
