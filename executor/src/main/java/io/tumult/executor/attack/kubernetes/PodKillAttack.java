package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.KubeCalls;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.Target;

/**
 * {@code pod-kill}: deletes each target pod with the spec's grace period. One-shot: its controller recreates it, so
 * the revert does nothing; a pod already gone counts as killed.
 */
@Singleton
public class PodKillAttack extends KubernetesAttack<PodKill> {

    @Inject
    PodKillAttack(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config, ExecutorConfig executor) {
        this(kube, targets, config.role(), executor.id());
    }

    public PodKillAttack(KubernetesClient kube, KubernetesTargets targets, Role role, String executorId) {
        super(kube, targets, role, executorId);
    }

    @Override
    public Class<PodKill> specType() {
        return PodKill.class;
    }

    @Override
    protected String kind() {
        return PodKill.KIND;
    }

    @Override
    protected PodKill specOf() {
        return new PodKill(0);
    }

    @Override
    protected Resolution resolveTargets(UUID runId, Target target) {
        return pods(runId, target);
    }

    @Override
    public Injection plan(UUID runId, Instant deadline, PodKill spec, ResolvedTarget target) {
        var handle = handle(target, runId, deadline);
        handle.put("gracePeriodSeconds", String.valueOf(spec.gracePeriodSeconds()));
        return new Injection(PodKill.KIND, target, handle, byHand("true")); // nothing to undo: the pod is recreated
    }

    @Override
    public void apply(PodKill spec, Injection injection) {
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        KubeCalls.run("delete pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name)
                .withGracePeriod(spec.gracePeriodSeconds()).delete());
    }

    @Override
    public void recover(Injection injection) {
        // one-shot: the pod's controller brings it back
    }
}
