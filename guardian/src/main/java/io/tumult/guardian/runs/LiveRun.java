package io.tumult.guardian.runs;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunStarted;

/**
 * A run in progress, as far as the bridges need it.
 *
 * @param runId the run
 * @param experiment the experiment's name
 * @param namespace the namespace its target is in: a pod target's Kubernetes namespace, a network-namespace target's
 *        name; null for cgroup and process targets
 * @param autoAbort its autoAbort conditions
 * @param deadline when its fault must be gone, whatever happens
 */
public record LiveRun(UUID runId, String experiment, String namespace, List<Condition> autoAbort, Instant deadline) {

    public LiveRun {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(experiment, "experiment");
        autoAbort = List.copyOf(autoAbort);
        Objects.requireNonNull(deadline, "deadline");
    }

    public static LiveRun of(RunStarted start) {
        // pattern switches would be exhaustive here, but the build's import sorter cannot parse them yet
        String namespace = null;
        if (start.spec().target() instanceof PodTarget pod) {
            namespace = pod.namespace();
        } else if (start.spec().target() instanceof NetworkNamespaceTarget netns) {
            namespace = netns.name();
        }
        return new LiveRun(start.runId(), start.experiment(), namespace, start.spec().autoAbort(), start.deadline());
    }
}
