package io.tumult.executor.kubernetes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.run.NodeAgentCheck;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunClaimed;

/**
 * The node agents as a cluster executor sees them: the ready pods of their DaemonSet, by node. It picks the pods of
 * the agents' part of a run for all of them, and checks that every picked pod's node has an agent before that part
 * goes ahead unwatched (see {@link NodeAgentCheck}).
 */
@Singleton
public class NodeAgents implements NodeAgentCheck {

    private final KubernetesClient kube;
    private final KubernetesTargets targets;
    private final String namespace;
    private final Map<String, String> labels;

    @Inject
    NodeAgents(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config) {
        this(kube, targets, config.nodeAgentNamespace().orElse(null), labels(config.nodeAgentSelector()));
    }

    /**
     * @param namespace the agents' namespace; null for the client's own (in a cluster, this executor's)
     * @param labels the labels every agent pod carries
     */
    public NodeAgents(KubernetesClient kube, KubernetesTargets targets, String namespace, Map<String, String> labels) {
        this.kube = kube;
        this.targets = targets;
        this.namespace = namespace;
        this.labels = Map.copyOf(labels);
    }

    /**
     * The run's pods, resolved exactly as every agent would resolve them (same policy, caps and seeded pick), once
     * each picked pod's node has a ready agent. Refuses when resolving does, when a picked pod's node has no ready
     * agent, or when no agent is ready at all (then no agent would say anything about the run, whatever it selects).
     * Failing to list the agents refuses the run: fail safe.
     */
    @Override
    public RunClaimed.Pick pick(UUID runId, ExperimentSpec spec) {
        String kind = spec.attack().kind();
        targets.checkEnabled(kind);
        Set<String> ready = readyNodes();
        if (ready.isEmpty()) {
            throw new AttackException(Reason.NO_NODE_AGENT, "no node agent is ready (" + agentsDescribed()
                    + "): none would carry out " + kind + " in pods");
        }
        var resolved = targets.pods(runId, (PodTarget) spec.target(), true);
        Map<String, Set<String>> uncovered = new TreeMap<>();
        for (Pod pod : resolved.picked()) {
            String node = pod.getSpec().getNodeName();
            if (!ready.contains(node)) {
                uncovered.computeIfAbsent(node, n -> new TreeSet<>()).add(KubernetesTargets.key(pod));
            }
        }
        if (!uncovered.isEmpty()) {
            throw new AttackException(Reason.NO_NODE_AGENT, "no node agent is ready on " + uncovered.entrySet()
                    .stream().map(e -> "node " + e.getKey() + " (picked: " + String.join(", ", e.getValue()) + ")")
                    .collect(Collectors.joining("; ")) + "; ready agents (" + agentsDescribed() + ") are on "
                    + String.join(", ", ready) + ": " + kind + " would be carried out only in part");
        }
        return pickOf(resolved);
    }

    /** A resolution as the agents' pick: each picked pod with its node, and the candidate count. */
    public static RunClaimed.Pick pickOf(KubernetesTargets.Resolved<Pod> resolved) {
        return new RunClaimed.Pick(resolved.picked().stream().map(p -> new RunClaimed.PickedPod(
                KubernetesTargets.key(p), p.getSpec().getNodeName())).toList(), resolved.candidates().size());
    }

    /** The nodes with a ready agent: a running, ready pod of the DaemonSet that is not being deleted. */
    Set<String> readyNodes() {
        List<Pod> agents = KubeCalls.call("list node agent pods (" + agentsDescribed() + ")",
                () -> kube.pods().inNamespace(agentNamespace()).withLabels(labels).list().getItems());
        return agents.stream().filter(NodeAgents::ready).map(p -> p.getSpec().getNodeName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getSpec() != null
                && pod.getSpec().getNodeName() != null && pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private String agentsDescribed() {
        return "pods labelled " + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                .collect(Collectors.joining(",")) + " in namespace " + agentNamespace();
    }

    /** The namespace set, or the client's own (in a cluster, this executor's). */
    private String agentNamespace() {
        return namespace != null ? namespace : kube.getNamespace();
    }

    /** {@code key=value[,key=value]} as labels. */
    static Map<String, String> labels(String selector) {
        var labels = new LinkedHashMap<String, String>();
        for (String pair : selector.split(",")) {
            String[] kv = pair.trim().split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("tumult.executor.kubernetes.node-agent-selector: expected"
                        + " key=value[,key=value], got '" + selector + "'");
            }
            labels.put(kv[0].trim(), kv[1].trim());
        }
        return labels;
    }
}
