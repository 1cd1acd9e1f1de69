package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
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
import io.tumult.schemas.v1.NetworkPolicyPartition;
import io.tumult.schemas.v1.NetworkPolicyPartition.Direction;
import io.tumult.schemas.v1.Target;

/**
 * {@code network-policy-partition}: labels each target pod {@code tumult.io/partition=<run id>} (with its fault
 * record) and makes sure a NetworkPolicy {@code tumult-partition-<run id>} in its namespace selects that label and
 * allows nothing in the chosen direction(s). The revert removes the label, then deletes the policy once no pod of the
 * namespace carries it. The policy itself carries the fault label and record, so a leftover is found and deleted.
 */
@Singleton
public class NetworkPolicyPartitionAttack extends KubernetesAttack<NetworkPolicyPartition> {

    static final String PARTITION = "tumult.io/partition";
    static final String POLICY = "policy";

    @Inject
    NetworkPolicyPartitionAttack(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config,
            ExecutorConfig executor) {
        this(kube, targets, config.role(), executor.id());
    }

    public NetworkPolicyPartitionAttack(KubernetesClient kube, KubernetesTargets targets, Role role,
            String executorId) {
        super(kube, targets, role, executorId);
    }

    @Override
    public Class<NetworkPolicyPartition> specType() {
        return NetworkPolicyPartition.class;
    }

    @Override
    protected String kind() {
        return NetworkPolicyPartition.KIND;
    }

    @Override
    protected NetworkPolicyPartition specOf() {
        return new NetworkPolicyPartition(null);
    }

    @Override
    protected Resolution resolveTargets(UUID runId, Target target) {
        return pods(runId, target);
    }

    /** The policy's name for a run. */
    static String policyName(UUID runId) {
        return "tumult-partition-" + runId;
    }

    @Override
    public Injection plan(UUID runId, Instant deadline, NetworkPolicyPartition spec, ResolvedTarget target) {
        var handle = handle(target, runId, deadline);
        handle.put(POLICY, policyName(runId));
        Pod pod = pod(new Injection(NetworkPolicyPartition.KIND, target, handle, byHand("true")));
        if (pod == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no pod " + target.name());
        }
        checkNotFaultedByAnother(pod, runId, "pod " + target.name());
        String ns = handle.get(NAMESPACE);
        return new Injection(NetworkPolicyPartition.KIND, target, handle, byHand(
                "kubectl -n " + ns + " label pod/" + handle.get(NAME) + " " + PARTITION + "- " + FaultRecord.FAULT
                        + "-",
                "kubectl -n " + ns + " delete networkpolicy/" + policyName(runId) + " --ignore-not-found"));
    }

    @Override
    public void apply(NetworkPolicyPartition spec, Injection injection) {
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        UUID runId = runIdOf(injection);
        // the pod first: its record is what the revert (and a restarted executor) starts from
        KubeCalls.run("patch pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name).edit(p -> {
            FaultRecord.mark(p.getMetadata(), NetworkPolicyPartition.KIND, runId, deadlineOf(injection), executorId,
                    Map.of());
            var labels = new HashMap<>(p.getMetadata().getLabels());
            labels.put(PARTITION, runId.toString());
            p.getMetadata().setLabels(labels);
            return p;
        }));
        var types = new ArrayList<String>();
        if (spec.direction() != Direction.EGRESS) {
            types.add("Ingress");
        }
        if (spec.direction() != Direction.INGRESS) {
            types.add("Egress");
        }
        NetworkPolicy policy = new NetworkPolicyBuilder().withNewMetadata().withName(policyName(runId))
                .withNamespace(ns).endMetadata().withNewSpec().withNewPodSelector()
                .withMatchLabels(Map.of(PARTITION, runId.toString())).endPodSelector().withPolicyTypes(types)
                .endSpec().build(); // no ingress or egress rules: nothing is allowed
        FaultRecord.mark(policy.getMetadata(), NetworkPolicyPartition.KIND, runId, deadlineOf(injection), executorId,
                Map.of());
        KubeCalls.run("create or update networkpolicy " + ns + "/" + policyName(runId),
                () -> kube.network().v1().networkPolicies().inNamespace(ns).resource(policy).createOr(
                        existing -> existing.update()));
    }

    @Override
    public void recover(Injection injection) {
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        String run = injection.handle().get(RUN_ID);
        Pod pod = pod(injection);
        if (carriesFaultOf(pod, injection)) {
            KubeCalls.run("unlabel pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name)
                    .edit(p -> {
                        var labels = new HashMap<>(p.getMetadata().getLabels());
                        labels.remove(PARTITION);
                        p.getMetadata().setLabels(labels);
                        FaultRecord.clear(p.getMetadata());
                        return p;
                    }));
        }
        deletePolicyIfUnused(ns, UUID.fromString(run));
    }

    /** Deletes the run's policy in {@code namespace} once no pod there carries its label; harmless when gone. */
    void deletePolicyIfUnused(String namespace, UUID runId) {
        boolean inUse = !KubeCalls.call("list pods partitioned by run " + runId + " in " + namespace,
                () -> kube.pods().inNamespace(namespace).withLabel(PARTITION, runId.toString()).list().getItems())
                .isEmpty();
        if (!inUse) {
            KubeCalls.run("delete networkpolicy " + namespace + "/" + policyName(runId),
                    () -> kube.network().v1().networkPolicies().inNamespace(namespace).withName(policyName(runId))
                            .delete());
        }
    }
}
