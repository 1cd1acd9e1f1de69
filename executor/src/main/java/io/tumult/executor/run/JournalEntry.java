package io.tumult.executor.run;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import io.tumult.executor.attack.Injection;

/**
 * One injection as journaled before it is applied: everything needed to revert it and to report the run without
 * this process's memory.
 *
 * @param runId the run
 * @param experiment the run's experiment
 * @param deadline the run's hard deadline
 * @param executor the id of the executor that journaled it
 * @param injection what was (or is about to be) put in place, where, and its undo commands
 */
public record JournalEntry(UUID runId, String experiment, Instant deadline, String executor, Injection injection) {

    public JournalEntry {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(injection, "injection");
    }
}
