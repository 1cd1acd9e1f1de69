package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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
import io.tumult.schemas.v1.ScaleDown;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.WorkloadTarget;

/**
 * {@code scale-down}: sets a Deployment's or StatefulSet's {@code spec.replicas} for the run, recording the original
 * in the same patch ({@code tumult.io/original-replicas}); the revert puts back exactly that number. Applying twice
 * keeps the first original (the object's record wins over a re-read).
 */
@Singleton
public class ScaleDownAttack extends KubernetesAttack<ScaleDown> {

    static final String REPLICAS = "replicas", RESOURCE = "resource";

    @Inject
    ScaleDownAttack(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config,
            ExecutorConfig executor) {
        this(kube, targets, config.role(), executor.id());
    }

    public ScaleDownAttack(KubernetesClient kube, KubernetesTargets targets, Role role, String executorId) {
        super(kube, targets, role, executorId);
    }

    @Override
    public Class<ScaleDown> specType() {
        return ScaleDown.class;
    }

    @Override
    protected String kind() {
        return ScaleDown.KIND;
    }

    @Override
    protected ScaleDown specOf() {
        return new ScaleDown(0);
    }

    @Override
    protected Resolution resolveTargets(UUID runId, Target target) {
        HasMetadata workload = targets.workload((WorkloadTarget) target);
        return new Resolution(List.of(new ResolvedTarget(workload.getKind().toLowerCase(),
                KubernetesTargets.key(workload))), 1);
    }

    @Override
    public Injection plan(UUID runId, Instant deadline, ScaleDown spec, ResolvedTarget target) {
        var handle = handle(target, runId, deadline);
        handle.put(RESOURCE, target.kind());
        HasMetadata workload = get(handle);
        String what = describe(handle);
        if (workload == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no " + what);
        }
        checkNotFaultedByAnother(workload, runId, what);
        String original = FaultRecord.original(workload, REPLICAS)
                .orElse(String.valueOf(replicasOf(workload)));
        handle.put(REPLICAS, original);
        return new Injection(ScaleDown.KIND, target, handle, byHand(
                "kubectl -n " + handle.get(NAMESPACE) + " scale " + target.kind() + "/" + handle.get(NAME)
                        + " --replicas=" + original,
                "kubectl -n " + handle.get(NAMESPACE) + " label " + target.kind() + "/" + handle.get(NAME) + " "
                        + FaultRecord.FAULT + "-"));
    }

    @Override
    public void apply(ScaleDown spec, Injection injection) {
        var handle = injection.handle();
        edit(handle, "patch " + describe(handle), w -> {
            FaultRecord.mark(w.getMetadata(), ScaleDown.KIND, runIdOf(injection), deadlineOf(injection), executorId,
                    Map.of(REPLICAS, handle.get(REPLICAS)));
            setReplicas(w, spec.replicas());
            return w;
        });
    }

    @Override
    public void recover(Injection injection) {
        var handle = injection.handle();
        HasMetadata workload = get(handle);
        if (!carriesFaultOf(workload, injection)) {
            return; // gone, or already restored: nothing of this run's is left
        }
        int original = Integer.parseInt(FaultRecord.original(workload, REPLICAS).orElse(handle.get(REPLICAS)));
        edit(handle, "restore replicas of " + describe(handle), w -> {
            setReplicas(w, original);
            FaultRecord.clear(w.getMetadata());
            return w;
        });
    }

    private static String describe(Map<String, String> handle) {
        return handle.get(RESOURCE) + " " + handle.get(NAMESPACE) + "/" + handle.get(NAME);
    }

    private HasMetadata get(Map<String, String> handle) {
        String ns = handle.get(NAMESPACE);
        String name = handle.get(NAME);
        return KubeCalls.call("get " + describe(handle), () -> "statefulset".equals(handle.get(RESOURCE))
                ? kube.apps().statefulSets().inNamespace(ns).withName(name).get()
                : kube.apps().deployments().inNamespace(ns).withName(name).get());
    }

    private void edit(Map<String, String> handle, String what, UnaryOperator<HasMetadata> change) {
        String ns = handle.get(NAMESPACE);
        String name = handle.get(NAME);
        KubeCalls.run(what, () -> {
            if ("statefulset".equals(handle.get(RESOURCE))) {
                kube.apps().statefulSets().inNamespace(ns).withName(name).edit(s -> (StatefulSet) change.apply(s));
            } else {
                kube.apps().deployments().inNamespace(ns).withName(name).edit(d -> (Deployment) change.apply(d));
            }
        });
    }

    private static int replicasOf(HasMetadata workload) {
        Integer replicas = workload instanceof StatefulSet s ? s.getSpec().getReplicas()
                : ((Deployment) workload).getSpec().getReplicas();
        return replicas == null ? 1 : replicas; // the API's default
    }

    private static void setReplicas(HasMetadata workload, int replicas) {
        if (workload instanceof StatefulSet s) {
            s.getSpec().setReplicas(replicas);
        } else {
            ((Deployment) workload).getSpec().setReplicas(replicas);
        }
    }
}
