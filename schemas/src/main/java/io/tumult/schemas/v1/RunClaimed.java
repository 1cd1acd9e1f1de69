package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.List;
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
 * @param pick for a run of in-pod faults, the pods a cluster executor picked for the node agents; null otherwise.
 *        The first cluster executor's claim of the run is the one pick every agent acts on, so the run's blast
 *        radius holds cluster-wide however the pods change while the agents take their shares.
 */
public record RunClaimed(UUID runId, String executor, Instant claimedAt, String node, Pick pick) {

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
        if (node != null && pick != null) {
            throw new IllegalArgumentException("pick is a cluster executor's: a node agent's claim (node " + node
                    + ") carries none");
        }
    }

    /** A cluster executor's claim of the whole run. */
    public RunClaimed(UUID runId, String executor, Instant claimedAt) {
        this(runId, executor, claimedAt, null, null);
    }

    /** A node agent's claim of {@code node}'s share, or (node null) a cluster executor's claim without a pick. */
    public RunClaimed(UUID runId, String executor, Instant claimedAt, String node) {
        this(runId, executor, claimedAt, node, null);
    }

    /**
     * The pods a run's in-pod fault goes into, as one cluster executor resolved them.
     *
     * @param pods the picked pods, each with its node
     * @param candidates how many pods they were picked from (for {@code blastRadius.maxPercentage})
     */
    public record Pick(List<PickedPod> pods, int candidates) {

        public Pick {
            pods = List.copyOf(Objects.requireNonNull(pods, "pods"));
            if (candidates < pods.size()) {
                throw new IllegalArgumentException("candidates (" + candidates + ") must be at least the "
                        + pods.size() + " picked pods");
            }
        }
    }

    /**
     * One picked pod.
     *
     * @param pod {@code namespace/name}
     * @param node the node it runs on, whose agent acts on it
     */
    public record PickedPod(String pod, String node) {

        public PickedPod {
            Objects.requireNonNull(pod, "pod");
            Objects.requireNonNull(node, "node");
            if (!pod.matches("[^/]+/[^/]+")) {
                throw new IllegalArgumentException("pod must be namespace/name, got '" + pod + "'");
            }
            if (node.isBlank()) {
                throw new IllegalArgumentException("node must not be blank");
            }
        }
    }
}
