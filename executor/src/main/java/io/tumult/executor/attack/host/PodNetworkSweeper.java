package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;

/**
 * A node agent's start-up sweep of its node's pods: deletes, in each pod's network namespace, the nftables tables of
 * runs not active here ({@code tumult_<run>}, every nftables attack's) and the traffic-control objects of those runs
 * ({@link TrafficControlLeftovers}: qdiscs, IFB devices, NFQUEUE rules and helpers), so what an agent left behind
 * without its journal is removed before the next one takes a run. Only a node agent sweeps pods (the node's pods are its own);
 * the
 * named namespaces are {@link NetworkLossAttack}'s sweep.
 */
@Singleton
public class PodNetworkSweeper implements LeftoverSweeper {

    private static final Logger LOG = Logger.getLogger(PodNetworkSweeper.class);

    private final ExecutorConfig config;
    private final NodePods pods;
    private final NetworkTargets targets;

    @Inject
    public PodNetworkSweeper(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.pods = pods;
        this.targets = new NetworkTargets(config, pods);
    }

    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        var swept = new ArrayList<Swept>();
        var seen = new HashSet<String>();
        var namespaces = pods.networkNamespacesOnThisNode((pod, why) -> LOG.debugf("pod %s not swept: %s", pod, why));
        for (var entry : namespaces.entrySet()) {
            ResolvedTarget pod = entry.getKey();
            Netns ns;
            try {
                ns = targets.netns(pod, entry.getValue()); // refuses the host's network, as an attack would
            } catch (AttackException e) {
                LOG.debugf("pod %s not swept: %s", pod.name(), e.getMessage());
                continue;
            }
            if (!seen.add(ns.inode())) {
                continue;
            }
            try {
                // first the traffic-control objects of runs whose marker table is here, then the tables
                swept.addAll(TrafficControlLeftovers.sweep(ns, "pod " + pod.name(), active, config.commandTimeout()));
                swept.addAll(NftTableAttack.sweepTables(ns, "pod " + pod.name(), active, config.commandTimeout()));
            } catch (AttackException e) { // the other pods are still swept; this one is said, never dropped
                LOG.errorf("start-up sweep of pod %s failed; its leftovers may still be in place: %s", pod.name(),
                        e.getMessage());
            }
        }
        return swept;
    }
}
