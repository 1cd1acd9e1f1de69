package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.executor.kubernetes.TestPicks;
import io.tumult.executor.kubernetes.TestPodNamespaces;
import io.tumult.schemas.v1.ContainerKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;

/**
 * Container kill measured on real processes standing for containers (no kubelet here: what the mock cannot show is
 * the kubelet restarting the container). The pods are on the mock server; this agent is on node n1.
 */
@EnableKubernetesMockClient(crud = true)
class ContainerKillAttackTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private final TestPodNamespaces namespaces = new TestPodNamespaces();
    private TestPicks picks;
    private final List<Long> containers = new ArrayList<>();
    private ContainerKillAttack attack;

    @BeforeEach
    void cluster() {
        picks = new TestPicks(kube);
        var cluster = new MockCluster(kube).namespace("shop", true);
        cluster.pod("shop", "cart-1", Map.of("app", "cart"), "n1", "Running");
        cluster.pod("shop", "cart-2", Map.of("app", "cart"), "n2", "Running");
        attack = new ContainerKillAttack(new NodePods(new KubernetesTargets(kube, MockCluster.defaultPolicy()),
                namespaces, Role.NODE, Optional.of("n1"), picks.picks()));
        ApiCalls.discard(server);
    }

    @AfterEach
    void stopContainers() {
        containers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void shouldKillTheNamedContainersMainProcessAndLeaveTheOthers() throws Exception {
        // Given
        long app = container();
        long sidecar = container();
        namespaces.containers("shop/cart-1", Map.of("app", app, "sidecar", sidecar));
        UUID runId = picks.pick(UUID.randomUUID(), allCartPods());
        ApiCalls.drain(server); // the cluster executor's calls, picking
        List<ResolvedTarget> targets = attack.resolve(runId, allCartPods());
        ResolvedTarget here = targets.stream().filter(attack::actsHere).findFirst().orElseThrow();

        // When
        attack.inject(runId, new ContainerKill("app"), here);

        // Then
        assertThat(targets).extracting(ResolvedTarget::name).containsExactlyInAnyOrder("shop/cart-1", "shop/cart-2");
        // the node agent's API calls (its RBAC: deploy/kubernetes), all reads
        assertThat(ApiCalls.drain(server, ApiCalls.NODE_AGENT)).containsOnly(new ApiCall("get", "", "pods", ""));
        assertThat(targets.stream().filter(attack::actsHere)).singleElement().isEqualTo(here);
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(app));
        assertThat(RunProcesses.alive(sidecar)).isTrue();
    }

    @Test
    void shouldKillEveryContainerWhenNoneIsNamed() throws Exception {
        // Given
        long app = container();
        long sidecar = container();
        namespaces.containers("shop/cart-1", Map.of("app", app, "sidecar", sidecar));
        UUID runId = UUID.randomUUID();
        ResolvedTarget here = resolve(runId, allCartPods()).stream().filter(attack::actsHere).findFirst()
                .orElseThrow();

        // When
        attack.inject(runId, new ContainerKill(null), here);

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(app) && !RunProcesses.alive(sidecar));
    }

    @Test
    void shouldRefuseAContainerThatDoesNotRunHereAndNeverSignalTheExecutorItself() throws Exception {
        // Given
        long app = container();
        namespaces.containers("shop/cart-1", Map.of("app", app, "proxy", ProcessHandle.current().pid()));
        UUID runId = UUID.randomUUID();
        ResolvedTarget here = resolve(runId, allCartPods()).stream().filter(attack::actsHere).findFirst()
                .orElseThrow();

        // When
        var missing = catchThrowableOfType(AttackException.class,
                () -> attack.inject(runId, new ContainerKill("cache"), here));
        var self = catchThrowableOfType(AttackException.class,
                () -> attack.inject(runId, new ContainerKill("proxy"), here));

        // Then
        assertThat(missing.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
        assertThat(missing.getMessage()).contains("shop/cart-1").contains("cache");
        assertThat(self.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(self.getMessage()).contains("it is the executor");
        assertThat(RunProcesses.alive(app)).isTrue();
    }

    private static PodTarget allCartPods() {
        return new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ALL, null);
    }

    /**
     * A process standing for a container's main process: detached from this JVM (its parent, a shell, exits), as a
     * container's is from the agent; the executor never signals its own children.
     */
    private long container() throws Exception {
        Process shell = new ProcessBuilder("setsid", "sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!").start();
        long pid = Long.parseLong(new String(shell.getInputStream().readAllBytes()).strip());
        shell.waitFor();
        containers.add(pid);
        return pid;
    }

    /** The pods the cluster executor picks for run {@code runId}, as this agent resolves them. */
    private List<ResolvedTarget> resolve(UUID runId, PodTarget target) {
        picks.pick(runId, target);
        return attack.resolve(runId, target);
    }
}
