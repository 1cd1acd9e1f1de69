package io.tumult.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * The workloads of each overlay hang together: probes on the health endpoints, resources, budgets that select their
 * pods, Services with pods behind them, settings and accounts that exist, privileges only where needed. What this
 * cannot show: that the images start and the probes pass in a cluster.
 */
class ManifestsTest {

    static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldProbeEveryServiceOnItsHealthEndpointsAndBoundItsResources(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        List<PodTemplateSpec> templates = templates(objects);

        // Then
        assertThat(templates).hasSize(4);
        for (PodTemplateSpec template : templates) {
            for (Container c : template.getSpec().getContainers()) {
                assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("http"));
                assertProbe(c.getStartupProbe(), "/q/health/started");
                assertProbe(c.getLivenessProbe(), "/q/health/live");
                assertProbe(c.getReadinessProbe(), "/q/health/ready");
                assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).containsKey("memory");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldGiveEveryDeploymentABudgetAndEveryServiceItsPods(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        List<Deployment> deployments = Manifests.all(objects, Deployment.class);

        // Then
        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("tumult-scheduler", "tumult-guardian", "tumult-executor");
        for (Deployment d : deployments) {
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(Manifests.all(objects, PodDisruptionBudget.class))
                    .as("a PodDisruptionBudget selecting %s's pods", d.getMetadata().getName())
                    .anySatisfy(pdb -> assertThat(podLabels).containsAllEntriesOf(
                            pdb.getSpec().getSelector().getMatchLabels()));
        }
        for (Service s : Manifests.all(objects, Service.class)) {
            assertThat(templates(objects)).as("pods behind Service %s", s.getMetadata().getName())
                    .anySatisfy(t -> assertThat(t.getMetadata().getLabels()).containsAllEntriesOf(s.getSpec()
                            .getSelector()));
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldReferOnlyToSettingsAndAccountsThatExist(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        List<PodTemplateSpec> templates = templates(objects);

        // Then
        for (PodTemplateSpec template : templates) {
            String account = template.getSpec().getServiceAccountName();
            assertThat(Manifests.find(objects, ServiceAccount.class, account)).as("ServiceAccount %s", account)
                    .isPresent();
            for (EnvFromSource from : template.getSpec().getContainers().get(0).getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    assertThat(Manifests.find(objects, ConfigMap.class, from.getConfigMapRef().getName()))
                            .as("ConfigMap %s", from.getConfigMapRef().getName()).isPresent();
                }
                if (from.getSecretRef() != null && overlay.equals("dev")) {
                    // production's database Secret is created beforehand (README), never committed
                    assertThat(Manifests.find(objects, Secret.class, from.getSecretRef().getName()))
                            .as("Secret %s", from.getSecretRef().getName()).isPresent();
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldGiveHostAccessAndCapabilitiesToTheNodeAgentAlone(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        PodSpec agent = Manifests.named(objects, DaemonSet.class, "tumult-node-agent").getSpec().getTemplate().getSpec();
        List<Deployment> deployments = Manifests.all(objects, Deployment.class);

        // Then
        assertThat(agent.getHostPID()).isTrue();
        assertThat(agent.getHostNetwork()).as("pods' namespaces are entered through /proc, not shared").isNotEqualTo(true);
        assertThat(agent.getTolerations()).anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        SecurityContext agentContext = agent.getContainers().get(0).getSecurityContext();
        assertThat(agentContext.getPrivileged()).isFalse();
        assertThat(agentContext.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(agentContext.getCapabilities().getAdd())
                .containsExactlyInAnyOrder("NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE", "KILL", "DAC_OVERRIDE");
        assertThat(agent.getVolumes()).extracting(v -> v.getHostPath().getPath())
                .containsExactlyInAnyOrder("/proc", "/sys/fs/cgroup", "/run/netns", "/var/lib/tumult/executor");
        for (Deployment d : deployments) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            SecurityContext c = pod.getContainers().get(0).getSecurityContext();
            assertThat(pod.getHostPID()).as(d.getMetadata().getName()).isNotEqualTo(true);
            assertThat(pod.getVolumes()).as(d.getMetadata().getName()).allSatisfy(v -> assertThat(v.getHostPath())
                    .isNull());
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(d.getMetadata().getName()).isTrue();
            assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getCapabilities().getAdd()).as(d.getMetadata().getName()).isNullOrEmpty();
            assertThat(c.getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getReadOnlyRootFilesystem()).isTrue();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldTellEachExecutorItsRoleAndEachNodeAgentItsNodeGroupAndStableId(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        Container executor = Manifests.named(objects, Deployment.class, "tumult-executor").getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        Container agent = Manifests.named(objects, DaemonSet.class, "tumult-node-agent").getSpec().getTemplate()
                .getSpec().getContainers().get(0);

        // Then: the names the executor's config reads (tumult.executor.kubernetes.role, .node-name, tumult.executor.id,
        // mp.messaging.incoming.run-start.group.id)
        assertThat(settings(objects, executor)).containsEntry("TUMULT_EXECUTOR_KUBERNETES_ROLE", "cluster");
        var agentSettings = settings(objects, agent);
        assertThat(agentSettings).containsEntry("TUMULT_EXECUTOR_KUBERNETES_ROLE", "node")
                .containsEntry("TUMULT_EXECUTOR_ID", "tumult-node-agent-$(TUMULT_EXECUTOR_KUBERNETES_NODE_NAME)")
                .containsEntry("MP_MESSAGING_INCOMING_RUN_START_GROUP_ID",
                        "tumult-node-$(TUMULT_EXECUTOR_KUBERNETES_NODE_NAME)")
                .containsEntry("MP_MESSAGING_INCOMING_RUN_START_AUTO_OFFSET_RESET", "latest")
                .containsEntry("MP_MESSAGING_INCOMING_DRY_RUN_REQUEST_ENABLED", "false");
        assertThat(settings(objects, executor)).doesNotContainKey("MP_MESSAGING_INCOMING_DRY_RUN_REQUEST_ENABLED");
        // the node comes first: later values refer to it, and Kubernetes expands only earlier variables
        var nodeName = agent.getEnv().get(0);
        assertThat(nodeName.getName()).isEqualTo("TUMULT_EXECUTOR_KUBERNETES_NODE_NAME");
        assertThat(nodeName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void shouldLabelTheNodeAgentsAsTheClusterExecutorsLookForThem(String overlay) {
        // Given
        List<HasMetadata> objects = Manifests.overlay(overlay);

        // When
        DaemonSet agents = Manifests.named(objects, DaemonSet.class, "tumult-node-agent");
        Deployment executors = Manifests.named(objects, Deployment.class, "tumult-executor");

        // Then: the default of tumult.executor.kubernetes.node-agent-selector (KubernetesConfig) picks the agents'
        // pods and not the cluster executors', in the cluster executors' own namespace (node-agent-namespace unset)
        var agentLabel = Map.entry("app.kubernetes.io/name", "tumult-node-agent");
        assertThat(agents.getSpec().getTemplate().getMetadata().getLabels()).contains(agentLabel);
        assertThat(executors.getSpec().getTemplate().getMetadata().getLabels()).doesNotContain(agentLabel);
        assertThat(agents.getMetadata().getNamespace()).isEqualTo(executors.getMetadata().getNamespace());
        assertThat(settings(objects, executors.getSpec().getTemplate().getSpec().getContainers().get(0)))
                .doesNotContainKeys("TUMULT_EXECUTOR_KUBERNETES_NODE_AGENT_SELECTOR",
                        "TUMULT_EXECUTOR_KUBERNETES_NODE_AGENT_NAMESPACE");
    }

    /** A container's settings: its ConfigMaps' data, then its own env values (which win). */
    private static Map<String, String> settings(List<HasMetadata> objects, Container container) {
        var all = new java.util.HashMap<String, String>();
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                all.putAll(Manifests.named(objects, ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
        }
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> all.put(e.getName(), e.getValue()));
        return all;
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    static List<PodTemplateSpec> templates(List<HasMetadata> objects) {
        return Stream.concat(
                Manifests.all(objects, Deployment.class).stream().map(d -> d.getSpec().getTemplate()),
                Manifests.all(objects, DaemonSet.class).stream().map(d -> d.getSpec().getTemplate()))
                .filter(Objects::nonNull).toList();
    }
}
