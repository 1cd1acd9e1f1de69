package io.tumult.executor.kubernetes;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunClaimed;

/**
 * The cluster executor's part for tests of one node agent's attacks: it picks a run's pods as {@link NodeAgents} does
 * (default policy) and hands the pick to the agent's {@link SharedPicks}, as the agent's fail-safe feed would once it
 * reads the cluster executor's claim.
 */
public final class TestPicks {

    private final KubernetesClient kube;
    private final SharedPicks picks = new SharedPicks(Duration.ofSeconds(5));

    public TestPicks(KubernetesClient kube) {
        this.kube = kube;
    }

    /** What the agent's {@link NodePods} waits on. */
    public SharedPicks picks() {
        return picks;
    }

    /** Picks run {@code runId}'s pods of {@code target} for every agent; returns {@code runId}. */
    public UUID pick(UUID runId, PodTarget target) {
        var resolved = new KubernetesTargets(kube, MockCluster.defaultPolicy()).pods(runId, target, true);
        picks.claimed(new RunClaimed(runId, "cluster-executor/test", Instant.now(), null,
                NodeAgents.pickOf(resolved)));
        return runId;
    }
}
