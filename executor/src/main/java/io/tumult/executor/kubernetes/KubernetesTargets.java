package io.tumult.executor.kubernetes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.NodeTarget;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.Selectors;
import io.tumult.schemas.v1.WorkloadTarget;

/**
 * Resolves Kubernetes targets through the API, read-only, and applies the blast-radius policy to them: protected and
 * disallowed namespaces refuse the run, targets that have not opted in are not candidates. Label selectors are sent
 * to the API server and checked again here, with the field selectors and annotations, so what the policy sees is
 * exactly what the experiment selects whatever the server filtered.
 */
public class KubernetesTargets {

    /** Pods, workloads or nodes a run may pick from, and the ones it picked. */
    public record Resolved<T extends HasMetadata>(List<T> candidates, List<T> picked) {
    }

    private final KubernetesClient kube;
    private final BlastRadiusPolicy policy;
    private final boolean enabled;

    /** Targets on a Kubernetes API (tests: the mock server). */
    public KubernetesTargets(KubernetesClient kube, BlastRadiusPolicy policy) {
        this(kube, policy, true);
    }

    public KubernetesTargets(KubernetesClient kube, BlastRadiusPolicy policy, boolean enabled) {
        this.kube = kube;
        this.policy = policy;
        this.enabled = enabled;
    }

    /** Whether this executor talks to a Kubernetes API ({@code tumult.executor.kubernetes.enabled}). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Refuses when no Kubernetes API is configured.
     *
     * @throws AttackException PERMISSION_DENIED naming the setting
     */
    public void checkEnabled(String kind) {
        if (!enabled) {
            throw new AttackException(Reason.PERMISSION_DENIED, kind + " needs a Kubernetes API; this executor has"
                    + " none (tumult.executor.kubernetes.enabled, or run it in a cluster)");
        }
    }

    public BlastRadiusPolicy policy() {
        return policy;
    }

    /**
     * The pods {@code target} selects for {@code runId}, within the policy.
     *
     * @throws AttackException PERMISSION_DENIED (namespace), TARGET_NOT_FOUND (nothing matches), BLAST_RADIUS
     */
    public Resolved<Pod> pods(UUID runId, PodTarget target) {
        return pods(runId, target, false);
    }

    /**
     * {@link #pods(UUID, PodTarget)}, among running pods with a node only when {@code runningOnly} (in-pod faults:
     * a pending pod has no namespace to act in, and no agent would take it).
     */
    public Resolved<Pod> pods(UUID runId, PodTarget target, boolean runningOnly) {
        var requirements = target.labelRequirements();
        var fields = target.fieldRequirements();
        var candidates = new ArrayList<Pod>();
        int matching = 0;
        for (String namespace : target.allNamespaces()) {
            policy.checkNamespace(namespace);
            Namespace ns = namespace(namespace);
            List<Pod> pods = KubeCalls.call("list pods in namespace " + namespace,
                    () -> kube.pods().inNamespace(namespace).withLabelSelector(toApi(requirements)).list().getItems());
            for (Pod pod : pods) {
                var meta = pod.getMetadata();
                if (meta.getDeletionTimestamp() != null || (runningOnly && !running(pod))
                        || !Selectors.matches(requirements, meta.getLabels())
                        || !fields.stream().allMatch(f -> f.matches(field(pod, f.field())))
                        || !hasAnnotations(meta.getAnnotations(), target.annotations())) {
                    continue;
                }
                matching++;
                if (policy.optedIn(meta.getLabels(), meta.getAnnotations())
                        || policy.optedIn(ns.getMetadata().getLabels(), ns.getMetadata().getAnnotations())) {
                    candidates.add(pod);
                }
            }
        }
        if (matching > 0 && candidates.isEmpty()) {
            throw new AttackException(Reason.PERMISSION_DENIED, matching + " pod(s) match in "
                    + target.allNamespaces() + " but none has opted in: " + policy.optInHint());
        }
        candidates.sort(Comparator.comparing(KubernetesTargets::key));
        List<Pod> picked = Selection.pick(candidates, target.mode(), target.value(), runId,
                "pod in " + target.allNamespaces());
        policy.checkCaps(picked.size(), candidates.size());
        return new Resolved<>(List.copyOf(candidates), picked);
    }

    /**
     * The workload {@code target} names, within the policy.
     *
     * @throws AttackException PERMISSION_DENIED (namespace, opt-in), TARGET_NOT_FOUND (no such workload)
     */
    public HasMetadata workload(WorkloadTarget target) {
        policy.checkNamespace(target.namespace());
        Namespace ns = namespace(target.namespace());
        String what = target.resource().name().toLowerCase() + " " + target.namespace() + "/" + target.name();
        HasMetadata workload = KubeCalls.call("get " + what, () -> switch (target.resource()) {
            case DEPLOYMENT -> kube.apps().deployments().inNamespace(target.namespace()).withName(target.name()).get();
            case STATEFULSET -> kube.apps().statefulSets().inNamespace(target.namespace()).withName(target.name())
                    .get();
        });
        if (workload == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no " + what);
        }
        if (!policy.optedIn(workload.getMetadata().getLabels(), workload.getMetadata().getAnnotations())
                && !policy.optedIn(ns.getMetadata().getLabels(), ns.getMetadata().getAnnotations())) {
            throw new AttackException(Reason.PERMISSION_DENIED, what + " has not opted in: " + policy.optInHint());
        }
        policy.checkCaps(1, 1);
        return workload;
    }

    /**
     * The nodes {@code target} selects for {@code runId}, within the policy (nodes opt in on themselves).
     *
     * @throws AttackException PERMISSION_DENIED (opt-in), TARGET_NOT_FOUND, BLAST_RADIUS
     */
    public Resolved<Node> nodes(UUID runId, NodeTarget target) {
        List<Node> matching;
        if (target.name() != null) {
            Node node = KubeCalls.call("get node " + target.name(), () -> kube.nodes().withName(target.name()).get());
            if (node == null) {
                throw new AttackException(Reason.TARGET_NOT_FOUND, "no node " + target.name());
            }
            matching = List.of(node);
        } else {
            var requirements = Selectors.parseLabels(target.labelSelector());
            matching = KubeCalls.call("list nodes", () -> kube.nodes().withLabelSelector(toApi(requirements)).list()
                    .getItems()).stream().filter(n -> Selectors.matches(requirements, n.getMetadata().getLabels()))
                    .toList();
        }
        var candidates = new ArrayList<>(matching.stream()
                .filter(n -> policy.optedIn(n.getMetadata().getLabels(), n.getMetadata().getAnnotations())).toList());
        if (!matching.isEmpty() && candidates.isEmpty()) {
            throw new AttackException(Reason.PERMISSION_DENIED, matching.size()
                    + " node(s) match but none has opted in: opt in with the label " + policy.optInLabel()
                    + " or the annotation " + policy.optInAnnotation() + " on the node");
        }
        candidates.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        List<Node> picked = Selection.pick(candidates, target.mode(), target.value(), runId, "node");
        policy.checkCaps(picked.size(), candidates.size());
        return new Resolved<>(List.copyOf(candidates), picked);
    }

    /** Every pod scheduled on {@code node}, in every namespace (a node agent's start-up sweep). */
    public List<Pod> podsOn(String node) {
        return KubeCalls.call("list pods on node " + node, () -> kube.pods().inAnyNamespace()
                .withField("spec.nodeName", node).list().getItems());
    }

    /** The pod {@code namespace/name}, or null when it is gone. */
    public Pod pod(String namespace, String name) {
        return KubeCalls.call("get pod " + namespace + "/" + name,
                () -> kube.pods().inNamespace(namespace).withName(name).get());
    }

    private Namespace namespace(String name) {
        Namespace ns = KubeCalls.call("get namespace " + name, () -> kube.namespaces().withName(name).get());
        if (ns == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no namespace " + name);
        }
        return ns;
    }

    /** {@code namespace/name}: how pods are sorted, reported and named in resolved targets. */
    public static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() == null ? object.getMetadata().getName()
                : object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    private static boolean running(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase());
    }

    private static String field(Pod pod, String field) {
        return switch (field) {
            case "status.phase" -> pod.getStatus() == null ? null : pod.getStatus().getPhase();
            case "spec.nodeName" -> pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            default -> throw new IllegalArgumentException("unsupported field " + field);
        };
    }

    private static boolean hasAnnotations(Map<String, String> actual, Map<String, String> wanted) {
        return wanted.entrySet().stream()
                .allMatch(e -> actual != null && e.getValue().equals(actual.get(e.getKey())));
    }

    /** The parsed requirements as the API's LabelSelector (sent as the list call's labelSelector parameter). */
    static LabelSelector toApi(List<Selectors.Requirement> requirements) {
        var builder = new LabelSelectorBuilder();
        for (var r : requirements) {
            String op = switch (r.operator()) {
                case EXISTS -> "Exists";
                case DOES_NOT_EXIST -> "DoesNotExist";
                case IN -> "In";
                case NOT_IN -> "NotIn";
            };
            builder.addToMatchExpressions(new LabelSelectorRequirement(r.key(), op, r.values()));
        }
        return builder.build();
    }
}
