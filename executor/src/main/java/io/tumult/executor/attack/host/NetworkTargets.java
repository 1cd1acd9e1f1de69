package io.tumult.executor.attack.host;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.AttackTargets;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.Target;

/**
 * The network namespaces network attacks act in: a named one ({@code /run/netns/<name>}), or each picked pod's on
 * this node ({@code /proc/<sandbox pid>/ns/net}, through {@link NodePods}). Either way every command is run through
 * {@code nsenter} into it, and the host's own namespace is refused (a {@code hostNetwork} pod shares it).
 */
final class NetworkTargets {

    /**
     * Inside a cluster a node agent runs in a pod of its own (no {@code hostNetwork}): the host's namespace is only
     * known as PID 1's ({@code hostPID}), which must then be readable. Outside one the executor runs on the host, and
     * its own namespace is the host's.
     */
    private static final boolean IN_CLUSTER = KubernetesConfig.insideACluster();

    private final ExecutorConfig config;
    private final NodePods pods;

    NetworkTargets(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.pods = pods;
    }

    /**
     * The targets {@code target} names for {@code kind} (its wire name; {@code what} names it in refusals), which runs
     * {@code tools} inside the namespace. Pods: every pod the run picks cluster-wide, each with its node.
     */
    List<ResolvedTarget> resolve(String kind, String what, List<String> tools, UUID runId, Target target) {
        if (target instanceof PodTarget pod && AttackTargets.targetsOf(kind).contains(PodTarget.KIND)) {
            return pods.resolve(kind, runId, pod, () -> NetworkNamespaces.checkCanAct(what, tools));
        }
        NetworkNamespaceTarget ns = NetworkNamespaces.namespaceOf(kind, target);
        return NetworkNamespaces.resolve(what, tools, ns, config.allowedNamespacePrefixes());
    }

    /** How many targets there were to pick from, for {@code blastRadius.maxPercentage}. */
    int candidates(UUID runId, List<ResolvedTarget> resolved) {
        return !resolved.isEmpty() && isPod(resolved.get(0)) ? pods.candidates(runId, resolved) : resolved.size();
    }

    /** Whether this executor acts on {@code target}: named namespaces always, pods only on this agent's node. */
    boolean actsHere(ResolvedTarget target) {
        return !isPod(target) || pods.actsHere(target);
    }

    /** The namespace to act in for {@code target}, found now (planning); refused when it is the host's. */
    Netns netns(ResolvedTarget target) {
        if (!isPod(target)) {
            return Netns.named(target.name());
        }
        return netns(target, pods.netns(target));
    }

    /** A pod's namespace, entered through {@code path} (found already): refused when it is the host's. */
    Netns netns(ResolvedTarget pod, Path path) {
        NetworkNamespaces.checkNotHost(path, "pod " + pod.name(), IN_CLUSTER);
        return Netns.ofPod(pod.name(), path);
    }

    /**
     * Checked again right before acting (apply may follow a restart without a resolve): the tools and rights, and
     * that the namespace is still allowed (a named one) or still not the host's (a pod's).
     */
    void recheck(String what, List<String> tools, Injection injection) {
        ResolvedTarget target = injection.target();
        if (!isPod(target)) {
            NetworkNamespaces.resolve(what, tools, new NetworkNamespaceTarget(target.name()),
                    config.allowedNamespacePrefixes());
            return;
        }
        NetworkNamespaces.checkCanAct(what, tools);
        Netns ns = NftTableAttack.netns(injection);
        if (!ns.exists()) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "pod " + target.name() + "'s network namespace "
                    + ns.path() + " is gone");
        }
        NetworkNamespaces.checkNotHost(ns.path(), "pod " + target.name(), IN_CLUSTER);
    }

    private static boolean isPod(ResolvedTarget target) {
        return PodTarget.KIND.equals(target.kind());
    }
}
