package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Container;
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
import io.tumult.schemas.v1.PodFailure;
import io.tumult.schemas.v1.Target;

/**
 * {@code pod-failure}: replaces the image of every container of each target pod with a pause image (chaos-mesh's
 * way; container images are the one mutable part of a pod's spec), recording the originals in the same patch
 * ({@code tumult.io/original-images}: {@code container=image} pairs); the revert puts them back. The pod object stays,
 * so its controller does not replace it; the kubelet restarts each container with the pause image, which serves
 * nothing.
 */
@Singleton
public class PodFailureAttack extends KubernetesAttack<PodFailure> {

    static final String IMAGES = "images";
    private final String pauseImage;

    @Inject
    PodFailureAttack(KubernetesClient kube, KubernetesTargets targets, KubernetesConfig config,
            ExecutorConfig executor) {
        this(kube, targets, config.role(), executor.id(), config.pauseImage());
    }

    public PodFailureAttack(KubernetesClient kube, KubernetesTargets targets, Role role, String executorId,
            String pauseImage) {
        super(kube, targets, role, executorId);
        this.pauseImage = pauseImage;
    }

    @Override
    public Class<PodFailure> specType() {
        return PodFailure.class;
    }

    @Override
    protected String kind() {
        return PodFailure.KIND;
    }

    @Override
    protected PodFailure specOf() {
        return new PodFailure();
    }

    @Override
    protected Resolution resolveTargets(UUID runId, Target target) {
        return pods(runId, target);
    }

    @Override
    public Injection plan(UUID runId, Instant deadline, PodFailure spec, ResolvedTarget target) {
        var handle = handle(target, runId, deadline);
        Injection probe = new Injection(PodFailure.KIND, target, handle, byHand("true"));
        Pod pod = pod(probe);
        if (pod == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no pod " + target.name());
        }
        checkNotFaultedByAnother(pod, runId, "pod " + target.name());
        String images = FaultRecord.original(pod, IMAGES).orElse(encode(pod));
        handle.put(IMAGES, images);
        String ns = handle.get(NAMESPACE);
        String name = handle.get(NAME);
        String setImages = decode(images).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return new Injection(PodFailure.KIND, target, handle, byHand(
                "kubectl -n " + ns + " set image pod/" + name + " " + setImages,
                "kubectl -n " + ns + " label pod/" + name + " " + FaultRecord.FAULT + "-"));
    }

    @Override
    public void apply(PodFailure spec, Injection injection) {
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        KubeCalls.run("patch pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name).edit(p -> {
            FaultRecord.mark(p.getMetadata(), PodFailure.KIND, runIdOf(injection), deadlineOf(injection),
                    executorId, Map.of(IMAGES, injection.handle().get(IMAGES)));
            p.getSpec().getContainers().forEach(c -> c.setImage(pauseImage));
            return p;
        }));
    }

    @Override
    public void recover(Injection injection) {
        Pod pod = pod(injection);
        if (!carriesFaultOf(pod, injection)) {
            return; // gone (its controller made a new one from the template) or already restored
        }
        var images = decode(FaultRecord.original(pod, IMAGES).orElse(injection.handle().get(IMAGES)));
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        KubeCalls.run("restore images of pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name)
                .edit(p -> {
                    for (Container c : p.getSpec().getContainers()) {
                        if (images.containsKey(c.getName())) {
                            c.setImage(images.get(c.getName()));
                        }
                    }
                    FaultRecord.clear(p.getMetadata());
                    return p;
                }));
    }

    private static String encode(Pod pod) {
        return pod.getSpec().getContainers().stream().map(c -> c.getName() + "=" + c.getImage())
                .collect(Collectors.joining(","));
    }

    static Map<String, String> decode(String images) {
        var map = new LinkedHashMap<String, String>();
        for (String pair : images.split(",")) {
            String[] kv = pair.split("=", 2);
            map.put(kv[0], kv[1]);
        }
        return map;
    }
}
