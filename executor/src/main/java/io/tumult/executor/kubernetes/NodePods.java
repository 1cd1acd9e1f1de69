package io.tumult.executor.kubernetes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Pod;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunClaimed;

/**
 * Pods as the node agents' in-pod faults see them (network faults in a pod's namespace, container kills). Routing:
 * every agent reads every run-start (a consumer group of its own node) and acts only on the run's picked pods that are
 * scheduled on its node: a pod has one node, so each target is hit once, by one agent. The pick is one cluster
 * executor's, shared through its claim of the run ({@link SharedPicks}): agents resolving on their own at different
 * moments could pick different pods while pods come and go. Each agent still checks the policy for its own pods.
 */
@Singleton
public class NodePods {

    private static final Logger LOG = Logger.getLogger(NodePods.class);

    private final KubernetesTargets targets;
    private final PodNamespaces namespaces;
    private final Role role;
    private final Optional<String> node;
    /** A node agent's source of picks; null where each resolution picks for itself. */
    private final SharedPicks picks;
    private final CandidateCounts candidateCounts = new CandidateCounts();

    @Inject
    NodePods(KubernetesTargets targets, PodNamespaces namespaces, KubernetesConfig config, SharedPicks picks) {
        this(targets, namespaces, config.role(), config.nodeName(), config.role() == Role.NODE ? picks : null);
    }

    /** Pods that this executor picks itself: a cluster executor's, or the single executor's (role {@code all}). */
    public NodePods(KubernetesTargets targets, PodNamespaces namespaces, Role role) {
        this(targets, namespaces, role, Optional.empty(), null);
    }

    /**
     * @param node this agent's node; required in the role {@code node}, where only its pods are acted on
     * @param picks for a node agent (required), the cluster executors' picks it acts on; null in the other roles
     */
    public NodePods(KubernetesTargets targets, PodNamespaces namespaces, Role role, Optional<String> node,
            SharedPicks picks) {
        if (role == Role.NODE && node.isEmpty()) {
            throw new IllegalStateException("a node agent must know its node: set tumult.executor.kubernetes.node-name"
                    + " (the DaemonSet sets it from spec.nodeName)");
        }
        if ((role == Role.NODE) != (picks != null)) {
            throw new IllegalStateException("a node agent, and only a node agent, acts on the cluster executors'"
                    + " picks (role " + role + ")");
        }
        this.targets = targets;
        this.namespaces = namespaces;
        this.role = role;
        this.node = node;
        this.picks = picks;
    }

    /** For executors without a Kubernetes API (tools, tests of host attacks): every pod target is refused. */
    public static NodePods none() {
        return new NodePods(new KubernetesTargets(null, null, false), null, Role.ALL);
    }

    /**
     * Every pod the run picks, cluster-wide, each with its node.
     *
     * @throws AttackException as {@link KubernetesTargets#pods}, or PERMISSION_DENIED without a Kubernetes API
     */
    public List<ResolvedTarget> resolve(String kind, UUID runId, PodTarget target) {
        targets.checkEnabled(kind);
        if (picks != null) {
            return shared(runId);
        }
        var resolved = targets.pods(runId, target, true);
        List<ResolvedTarget> picked = resolved.picked().stream().map(p -> new ResolvedTarget(PodTarget.KIND,
                KubernetesTargets.key(p), p.getSpec() == null ? null : p.getSpec().getNodeName())).toList();
        candidateCounts.record(runId, resolved.candidates().size());
        return picked;
    }

    /**
     * The cluster executor's pick of the run's pods, once its claim is read: every picked pod, each with its node.
     * This agent checks the policy again for its own pods (a protected namespace is refused whoever picked it) and
     * the policy's caps for the whole pick; one of its pods that has gone, or moved to another node, is left out (the
     * share only shrinks). None when another executor refused or failed the run first.
     *
     * @throws AttackException INTERNAL when no pick came in time; TARGET_NOT_FOUND when every pod picked on this node
     *         has gone (refused, so the run is not left without a status); the policy's refusals
     */
    private List<ResolvedTarget> shared(UUID runId) {
        RunClaimed.Pick pick = picks.await(runId);
        if (pick == null) {
            return List.of();
        }
        targets.policy().checkCaps(pick.pods().size(), pick.candidates());
        var picked = new ArrayList<ResolvedTarget>();
        var gone = new ArrayList<String>();
        boolean anyHere = false;
        for (RunClaimed.PickedPod pod : pick.pods()) {
            var target = new ResolvedTarget(PodTarget.KIND, pod.pod(), pod.node());
            if (actsHere(target)) {
                anyHere = true;
                String[] parts = pod.pod().split("/", 2);
                targets.policy().checkNamespace(parts[0]);
                Pod found = targets.pod(parts[0], parts[1]);
                if (found == null || found.getSpec() == null || !node.get().equals(found.getSpec().getNodeName())) {
                    gone.add(pod.pod());
                    continue;
                }
            }
            picked.add(target);
        }
        if (anyHere && picked.stream().noneMatch(this::actsHere)) {
            // said, never silent: the other agents' shares end on it (a run must not go without any status)
            throw new AttackException(Reason.TARGET_NOT_FOUND, "every pod picked on node " + node.get()
                    + " has gone or moved since the pick: " + String.join(", ", gone));
        }
        gone.forEach(pod -> LOG.infof("runId=%s picked pod %s is no longer on node %s: left out", runId, pod,
                node.get()));
        candidateCounts.record(runId, pick.candidates());
        return picked;
    }

    /**
     * {@link #resolve(String, UUID, PodTarget)}, then {@code checkTools} when this executor acts on any picked pod:
     * the tools and rights are needed only where the fault goes in.
     */
    public List<ResolvedTarget> resolve(String kind, UUID runId, PodTarget target, Runnable checkTools) {
        List<ResolvedTarget> picked = resolve(kind, runId, target);
        if (picked.stream().anyMatch(this::actsHere)) {
            checkTools.run();
        }
        return picked;
    }

    /**
     * The network namespaces of the pods scheduled on this agent's node, by pod, for its start-up sweep: from one list
     * call, without a lookup per pod. Pods on the host's network, or with no process here, are left out (said in
     * {@code skipped}). None for the other roles (a cluster executor has no node, and an executor outside a cluster
     * sweeps only its named namespaces).
     */
    public Map<ResolvedTarget, Path> networkNamespacesOnThisNode(java.util.function.BiConsumer<String, String> skipped) {
        if (role != Role.NODE || !targets.enabled()) {
            return Map.of();
        }
        var found = new java.util.LinkedHashMap<ResolvedTarget, Path>();
        for (Pod pod : targets.podsOn(node.get())) {
            String key = KubernetesTargets.key(pod);
            try {
                found.put(new ResolvedTarget(PodTarget.KIND, key, node.get()), netnsOf(key, pod));
            } catch (AttackException e) {
                skipped.accept(key, e.getMessage());
            }
        }
        return found;
    }

    /** How many pods the run picked {@code picked} from, for {@code blastRadius.maxPercentage}. */
    public int candidates(UUID runId, List<ResolvedTarget> picked) {
        return candidateCounts.of(runId, picked);
    }

    /** Whether this executor acts on {@code pod}: an agent on its node, or the one executor of role {@code all}. */
    public boolean actsHere(ResolvedTarget pod) {
        return switch (role) {
            case ALL -> true;
            case CLUSTER -> false;
            case NODE -> node.get().equals(pod.node());
        };
    }

    /**
     * The pod's network namespace here.
     *
     * @throws AttackException PERMISSION_DENIED for a pod on the host's network ({@code hostNetwork})
     */
    public Path netns(ResolvedTarget pod) {
        return netnsOf(pod.name(), pod(pod));
    }

    private Path netnsOf(String name, Pod found) {
        if (found.getSpec() != null && Boolean.TRUE.equals(found.getSpec().getHostNetwork())) {
            throw new AttackException(Reason.PERMISSION_DENIED, "pod " + name + " uses the host's network"
                    + " (hostNetwork): Tumult never touches the host's network namespace");
        }
        return namespaces.netns(found);
    }

    /**
     * The main processes of the pod's running containers here, by name: all of them, or only {@code container}'s.
     *
     * @throws AttackException TARGET_NOT_FOUND when none runs here (or no container has that name)
     */
    public Map<String, Long> containers(ResolvedTarget pod, String container) {
        Pod found = pod(pod);
        var all = namespaces.containers(found);
        if (container == null) {
            if (all.isEmpty()) {
                throw new AttackException(Reason.TARGET_NOT_FOUND, "no container of pod " + pod.name()
                        + " runs on this node");
            }
            return all;
        }
        Long pid = all.get(container);
        if (pid == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "pod " + pod.name() + " has no running container "
                    + container + " on this node (running: " + all.keySet() + ")");
        }
        return Map.of(container, pid);
    }

    private Pod pod(ResolvedTarget target) {
        String[] parts = target.name().split("/", 2);
        Pod pod = targets.pod(parts[0], parts[1]);
        if (pod == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "pod " + target.name() + " is gone");
        }
        return pod;
    }
}
