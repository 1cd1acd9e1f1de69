package io.tumult.executor.attack.kubernetes;

import java.util.Map;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.kubernetes.BlastRadiusPolicy;

/** Objects on the mock server, as a cluster would hold them (the mock runs no controllers or kubelets). */
public final class MockCluster {

    public static final Map<String, String> OPT_IN = Map.of("tumult.io/chaos", "enabled");

    private final KubernetesClient kube;

    public MockCluster(KubernetesClient kube) {
        this.kube = kube;
    }

    /** The default policy: kube-system protected, opt-in required, no global caps. */
    public static BlastRadiusPolicy defaultPolicy() {
        return new BlastRadiusPolicy(java.util.Set.of("kube-system"), java.util.Optional.empty(), true,
                "tumult.io/chaos=enabled", "tumult.io/chaos=enabled", java.util.Optional.empty(),
                java.util.Optional.empty());
    }

    public MockCluster namespace(String name, boolean optedIn) {
        return namespace(name, optedIn ? OPT_IN : Map.of(), Map.of());
    }

    public MockCluster namespace(String name, Map<String, String> labels, Map<String, String> annotations) {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(labels).withAnnotations(annotations).endMetadata().build()).create();
        return this;
    }

    public Pod pod(String namespace, String name, Map<String, String> labels, String node, String phase) {
        return pod(namespace, name, labels, Map.of(), node, phase);
    }

    public Pod pod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            String node, String phase) {
        return kube.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("app").withImage("shop/" + name.replaceAll("-\\d+$", "") + ":1")
                .endContainer().addNewContainer().withName("sidecar").withImage("proxy:2").endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build()).create();
    }

    public Deployment deployment(String namespace, String name, int replicas, Map<String, String> labels) {
        return deployment(namespace, name, replicas, labels, Map.of());
    }

    public Deployment deployment(String namespace, String name, int replicas, Map<String, String> labels,
            Map<String, String> annotations) {
        return kube.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
                .withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations)
                .endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("shop/" + name + ":1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    public StatefulSet statefulSet(String namespace, String name, int replicas, Map<String, String> labels) {
        return kube.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder().withNewMetadata()
                .withName(name).withNamespace(namespace).withLabels(labels).endMetadata().withNewSpec()
                .withReplicas(replicas).withServiceName(name).withNewSelector().withMatchLabels(Map.of("app", name))
                .endSelector().withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("shop/" + name + ":1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    public MockCluster node(String name, boolean optedIn, boolean unschedulable) {
        kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(optedIn ? OPT_IN : Map.of()).endMetadata().withNewSpec()
                .withUnschedulable(unschedulable).endSpec().build()).create();
        return this;
    }
}
