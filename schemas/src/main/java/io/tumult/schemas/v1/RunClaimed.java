package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An executor instance's claim to carry out a run, published on {@link Topics#RUN_CLAIMS} keyed by run id before it
 * touches anything. All claims of a run land on one partition, in one order: the first wins, and every other
 * instance (another replica handed the same start after a rebalance, or this one after a restart) leaves the run
 * alone. Read by executors only.
 *
 * @param runId the run claimed
 * @param executor the claiming executor instance: its id and a token of this start of its process
 * @param claimedAt when it claimed
 * @param node the node whose share of the run a node agent claims; null for a cluster executor's claim of the whole
 *        run. Claims compete only within one node: each node agent carries out the run's targets on its own node.
 */
public record RunClaimed(UUID runId, String executor, Instant claimedAt, String node) {

    public RunClaimed {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(claimedAt, "claimedAt");
        if (executor.isBlank()) {
            throw new IllegalArgumentException("executor must not be blank");
        }
        if (node != null && node.isBlank()) {
            throw new IllegalArgumentException("node must not be blank when given");
        }
    }

    /** A cluster executor's claim of the whole run. */
    public RunClaimed(UUID runId, String executor, Instant claimedAt) {
        this(runId, executor, claimedAt, null);
    }
}
