package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.KubeCalls;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.NodeDrain;
import io.tumult.schemas.v1.NodeTarget;
import io.tumult.schemas.v1.Target;

/**
 * {@code node-drain}: cordons each target node ({@code spec.unschedulable}, the original recorded in the same patch as
 * {@code tumult.io/original-unschedulable}), then evicts its pods through the Eviction API, as {@code kubectl drain}
 * does: a PodDisruptionBudget that forbids an eviction (HTTP 429) keeps that pod, which is logged, never forced.
 * DaemonSet pods, mirror pods and pods in namespaces the blast-radius policy forbids stay. The revert uncordons the
 * node unless it was cordoned before; evicted pods are not brought back (their controllers recreate them).
 */
@Singleton
public class NodeDrainAttack extends KubernetesAttack<NodeDrain> {

    private static final Logger LOG = Logger.getLogger(NodeDrainAttack.class);
    static final String UNSCHEDULABLE = "unschedulable";

    @Inject
    NodeDrainAttack(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config,
            ExecutorConfig executor) {
        this(kube, targets, config.role(), executor.id());
    }

    public NodeDrainAttack(KubernetesClient kube, KubernetesTargets targets, Role role, String executorId) {
        super(kube, targets, role, executorId);
    }

    @Override
    public Class<NodeDrain> specType() {
        return NodeDrain.class;
    }

    @Override
    protected String kind() {
        return NodeDrain.KIND;
    }

    @Override
    protected NodeDrain specOf() {
        return new NodeDrain(null);
    }

    @Override
    protected Resolution resolveTargets(UUID runId, Target target) {
        var resolved = targets.nodes(runId, (NodeTarget) target);
        return new Resolution(resolved.picked().stream()
                .map(n -> new ResolvedTarget(NodeTarget.KIND, n.getMetadata().getName())).toList(),
                resolved.candidates().size());
    }

    @Override
    public Injection plan(UUID runId, Instant deadline, NodeDrain spec, ResolvedTarget target) {
        var handle = handle(target, runId, deadline);
        Node node = node(target.name());
        if (node == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no node " + target.name());
        }
        checkNotFaultedByAnother(node, runId, "node " + target.name());
        handle.put(UNSCHEDULABLE, FaultRecord.original(node, UNSCHEDULABLE)
                .orElse(String.valueOf(Boolean.TRUE.equals(node.getSpec().getUnschedulable()))));
        return new Injection(NodeDrain.KIND, target, handle, byHand(
                Boolean.parseBoolean(handle.get(UNSCHEDULABLE)) ? "true" : "kubectl uncordon " + target.name(),
                "kubectl label node/" + target.name() + " " + FaultRecord.FAULT + "-"));
    }

    @Override
    public void apply(NodeDrain spec, Injection injection) {
        String name = injection.handle().get(NAME);
        KubeCalls.run("cordon node " + name, () -> kube.nodes().withName(name).edit(n -> {
            FaultRecord.mark(n.getMetadata(), NodeDrain.KIND, runIdOf(injection), deadlineOf(injection), executorId,
                    Map.of(UNSCHEDULABLE, injection.handle().get(UNSCHEDULABLE)));
            n.getSpec().setUnschedulable(true);
            return n;
        }));
        var kept = new ArrayList<String>();
        for (Pod pod : podsOn(name)) {
            String key = KubernetesTargets.key(pod);
            if (!targets.policy().namespaceAllowed(pod.getMetadata().getNamespace()) || isDaemonSetOrMirror(pod)) {
                continue;
            }
            boolean evicted = KubeCalls.call("evict pod " + key, () -> {
                var ref = kube.pods().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName());
                if (spec.gracePeriodSeconds() == null) {
                    return ref.evict();
                }
                return ref.evict(new io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder().withNewMetadata()
                        .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
                        .endMetadata().withDeleteOptions(new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder()
                                .withGracePeriodSeconds(spec.gracePeriodSeconds().longValue()).build())
                        .build());
            });
            if (!evicted) {
                kept.add(key);
            }
        }
        if (!kept.isEmpty()) {
            LOG.warnf("node-drain of %s: %d pod(s) kept by their PodDisruptionBudget: %s", name, kept.size(), kept);
        }
    }

    @Override
    public void recover(Injection injection) {
        String name = injection.handle().get(NAME);
        Node node = node(name);
        if (!carriesFaultOf(node, injection)) {
            return;
        }
        boolean wasCordoned = Boolean.parseBoolean(FaultRecord.original(node, UNSCHEDULABLE)
                .orElse(injection.handle().get(UNSCHEDULABLE)));
        KubeCalls.run("uncordon node " + name, () -> kube.nodes().withName(name).edit(n -> {
            n.getSpec().setUnschedulable(wasCordoned ? Boolean.TRUE : null);
            FaultRecord.clear(n.getMetadata());
            return n;
        }));
    }

    private Node node(String name) {
        return KubeCalls.call("get node " + name, () -> kube.nodes().withName(name).get());
    }

    /** The pods scheduled on {@code node} (checked here too: the field selector is the server's to honour). */
    private List<Pod> podsOn(String node) {
        return KubeCalls.call("list pods on node " + node, () -> kube.pods().inAnyNamespace()
                .withField("spec.nodeName", node).list().getItems()).stream()
                .filter(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName())).toList();
    }

    private static boolean isDaemonSetOrMirror(Pod pod) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey("kubernetes.io/config.mirror")
                || pod.getMetadata().getOwnerReferences().stream().anyMatch(o -> "DaemonSet".equals(o.getKind()));
    }
}
