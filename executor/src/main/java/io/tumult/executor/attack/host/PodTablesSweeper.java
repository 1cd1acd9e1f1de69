package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
 * runs not active here ({@code tumult_<run>}, every nftables attack's), so what an agent left behind without its
 * journal is removed before the next one takes a run. Only a node agent sweeps pods (the node's pods are its own); the
 * named namespaces are {@link NetworkLossAttack}'s sweep.
 */
@Singleton
public class PodTablesSweeper implements LeftoverSweeper {

    private static final Logger LOG = Logger.getLogger(PodTablesSweeper.class);

    private final ExecutorConfig config;
    private final NodePods pods;
    private final NetworkTargets targets;

    @Inject
    public PodTablesSweeper(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.pods = pods;
        this.targets = new NetworkTargets(config, pods);
    }

    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        var swept = new ArrayList<Swept>();
        var seen = new HashSet<String>();
        for (ResolvedTarget pod : pods.onThisNode()) {
            Netns ns;
            try {
                ns = targets.netns(pod); // refuses the host's network, as an attack would
            } catch (AttackException e) {
                LOG.debugf("pod %s not swept: %s", pod.name(), e.getMessage());
                continue;
            }
            if (!seen.add(ns.inode())) {
                continue;
            }
            var out = ns.run(config.commandTimeout(), null, "nft", "list", "tables");
            if (out.exitCode() != 0) {
                LOG.warnf("cannot list the tables of pod %s: %s", pod.name(), out.stderr().strip());
                continue;
            }
            for (String line : out.stdout().split("\n")) {
                String[] words = line.strip().split(" ");
                if (words.length != 3 || !words[0].equals("table") || !words[2].startsWith("tumult_")) {
                    continue;
                }
                Optional<UUID> runId = LeftoverSweeper.runIdIn(words[2]);
                if (runId.isPresent() && active.test(runId.get())) {
                    continue;
                }
                var deleted = ns.run(config.commandTimeout(), null, "nft", "delete", "table", words[1], words[2]);
                if (deleted.exitCode() != 0 && deleted.exitCode() != Netns.GONE) {
                    throw new AttackException(AttackException.Reason.INTERNAL, "cannot delete " + words[2]
                            + " in pod " + pod.name() + ": " + deleted.stderr().strip());
                }
                swept.add(new Swept(runId, "nftables table " + words[1] + " " + words[2] + " in pod " + pod.name()));
            }
        }
        return swept;
    }
}
