package io.tumult.executor.kubernetes;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.KubernetesClient;

/** The blast-radius policy and target resolution, from configuration and Quarkus's Kubernetes client. */
final class KubernetesProducers {

    @Produces
    @Singleton
    BlastRadiusPolicy policy(KubernetesConfig config) {
        return BlastRadiusPolicy.of(config);
    }

    @Produces
    @Singleton
    KubernetesTargets targets(KubernetesClient kube, BlastRadiusPolicy policy, KubernetesConfig config) {
        boolean enabled = config.enabled().orElseGet(() -> KubernetesConfig.insideACluster()
                || org.eclipse.microprofile.config.ConfigProvider.getConfig()
                        .getOptionalValue("quarkus.kubernetes-client.api-server-url", String.class).isPresent());
        return new KubernetesTargets(kube, policy, enabled);
    }

    /** The node agent's way into pods: the host's {@code /proc} (the DaemonSet runs with {@code hostPID}). */
    @Produces
    @Singleton
    PodNamespaces podNamespaces() {
        return new ProcPodNamespaces(java.nio.file.Path.of("/proc"));
    }
}
