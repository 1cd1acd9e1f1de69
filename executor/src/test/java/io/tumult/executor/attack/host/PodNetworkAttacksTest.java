package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.executor.kubernetes.TestPicks;
import io.tumult.executor.kubernetes.TestPodNamespaces;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkBandwidth;
import io.tumult.schemas.v1.NetworkLatency;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkPartition;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;

/**
 * A network fault in a pod's namespace, entered through a process in it ({@code /proc/<pid>/ns/net}, as on a node),
 * measured on the victim. The pod stands for itself: a network namespace with processes in it; the pod object is on
 * fabric8's mock server, on this agent's node. What the mock cannot show: a kubelet and container runtime making the
 * pod's sandbox, so nothing ties the pod object to its namespace but this test's {@code TestPodNamespaces}.
 */
@NeedsHostAttacks
@EnableKubernetesMockClient(crud = true)
class PodNetworkAttacksTest {

    KubernetesClient kube;
    private final TestPodNamespaces namespaces = new TestPodNamespaces();
    private TestPicks picks;
    private final List<Process> inPod = new ArrayList<>();
    private NetnsPair pair;
    private NetworkLossAttack attack;

    @BeforeEach
    void cluster() {
        picks = new TestPicks(kube);
        pair = NetnsPair.create();
        var cluster = new MockCluster(kube).namespace("shop", true);
        cluster.pod("shop", "cart-1", Map.of("app", "cart"), "n1", "Running");
        attack = new NetworkLossAttack(TestExecutorConfig.defaults(), nodePods());
    }

    /** This agent's view of the pods: node n1's, through the test's pod-to-namespace lookup. */
    private NodePods nodePods() {
        return new NodePods(new KubernetesTargets(kube, MockCluster.defaultPolicy()), namespaces, Role.NODE,
                Optional.of("n1"), picks.picks());
    }

    @AfterEach
    void removePod() {
        inPod.forEach(Process::destroyForcibly);
        pair.close();
    }

    @Test
    void shouldRevertThroughAnotherProcessOfThePodOnceTheOneItEnteredByIsGone() throws Exception {
        // Given: the pod's namespace entered through its first process's /proc path, then that process exits
        Process first = processInPod();
        processInPod();
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/" + first.pid() + "/ns/net"));
        UUID runId = UUID.randomUUID();
        ResolvedTarget pod = resolve(runId, cartPods()).get(0);
        Injection injection = attack.inject(runId, new NetworkLoss(100), pod);
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // When
        attack.recover(injection);

        // Then
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(tables()).isEmpty();
    }

    @Test
    void shouldRunTheGuardsUndoByTheNamespacesIdentityNotByThePath() throws Exception {
        // Given: the undo a guard would run, after the path's process is gone
        Process first = processInPod();
        processInPod();
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/" + first.pid() + "/ns/net"));
        UUID runId = UUID.randomUUID();
        Injection injection = attack.inject(runId, new NetworkLoss(100), resolve(runId, cartPods()).get(0));
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // When
        for (List<String> undo : injection.undo()) {
            ProcessRunner.run(undo.toArray(String[]::new));
        }

        // Then
        assertThat(tables()).isEmpty();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldDelayThePodsPacketsUntilReverted() throws Exception {
        // Given: the pod answers at once
        var latency = new NetworkLatencyAttack(TestExecutorConfig.defaults(), nodePods());
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/" + processInPod().pid() + "/ns/net"));
        UUID runId = UUID.randomUUID();
        ResolvedTarget pod = resolve(latency::resolve, runId, cartPods()).get(0);
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);

        // When
        Injection injection = latency.inject(runId, new NetworkLatency(java.time.Duration.ofMillis(100), null, null),
                pod);

        // Then: every reply is 100 ms late (a loaded machine adds some), and on time again once reverted
        assertThat(pair.medianRttMillisFromVictim(20)).isBetween(95.0, 170.0);
        latency.recover(injection);
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);
        assertThat(ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "iptables", "-S", "OUTPUT").stdout())
                .doesNotContain("tumult_");
        assertThat(tables()).noneMatch(t -> t.contains("tumult_")); // iptables' own tables may stay, empty
    }

    @Test
    void shouldCutThePodOffFromTheNamedPeerUntilReverted() throws Exception {
        // Given
        var partition = new NetworkPartitionAttack(TestExecutorConfig.defaults(), nodePods());
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/" + processInPod().pid() + "/ns/net"));
        UUID runId = UUID.randomUUID();
        ResolvedTarget pod = resolve(partition::resolve, runId, cartPods()).get(0);
        assertThat(pair.lossPercent(10)).isZero();

        // When
        Injection injection = partition.inject(runId, new NetworkPartition(List.of(pair.peerAddress() + "/32"), null),
                pod);

        // Then
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        partition.recover(injection);
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(tables()).isEmpty();
    }

    @Test
    void shouldLimitThePodsBandwidthUntilReverted() throws Exception {
        // Given: 1.5 MB from the pod take about 1.5 s at 8 Mbit/s, and far less without the limit
        double limit = 8_000_000;
        int bytes = 1_500_000;
        var bandwidth = new NetworkBandwidthAttack(TestExecutorConfig.defaults(), nodePods());
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/" + processInPod().pid() + "/ns/net"));
        var peerSink = pair.startTcpSinkOnPeer(7001);
        UUID runId = UUID.randomUUID();
        ResolvedTarget pod = resolve(bandwidth::resolve, runId, cartPods()).get(0);

        // When
        Injection injection = bandwidth.inject(runId, new NetworkBandwidth("8mbit", "egress", null), pod);

        // Then
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, bytes, 20)).isBetween(0.5 * limit,
                1.15 * limit);
        bandwidth.recover(injection);
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, bytes, 20)).isGreaterThan(5 * limit);
        assertThat(ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "tc", "qdisc", "show").orThrow()
                .stdout()).doesNotContain("tbf");
        assertThat(tables()).isEmpty();
    }

    @Test
    void shouldRefuseAPodOnTheHostsNetwork() {
        // Given: a pod that says so, and one whose processes are in the host's namespace all the same
        kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("cart-host")
                .withNamespace("shop").withLabels(Map.of("app", "cart-host")).endMetadata().withNewSpec()
                .withNodeName("n1").withHostNetwork(true).endSpec().withNewStatus().withPhase("Running").endStatus()
                .build()).create();
        namespaces.network("shop/cart-host", java.nio.file.Path.of("/proc/self/ns/net"));
        namespaces.network("shop/cart-1", java.nio.file.Path.of("/proc/self/ns/net"));
        UUID runId = UUID.randomUUID();
        ResolvedTarget declared = resolve(runId, new PodTarget("shop", Map.of("app", "cart-host"),
                SelectionMode.ONE, null)).get(0);
        ResolvedTarget sharing = resolve(UUID.randomUUID(), cartPods()).get(0);

        // When
        var refusedDeclared = catchThrowableOfType(AttackException.class,
                () -> attack.inject(runId, new NetworkLoss(100), declared));
        var refusedSharing = catchThrowableOfType(AttackException.class,
                () -> attack.inject(runId, new NetworkLoss(100), sharing));

        // Then
        assertThat(refusedDeclared.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(refusedDeclared.getMessage()).contains("hostNetwork");
        assertThat(refusedSharing.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(refusedSharing.getMessage()).contains("host's or the executor's own network namespace");
        assertThat(ProcessRunner.run("nft", "list", "tables").stdout()).doesNotContain("tumult_");
    }

    private static PodTarget cartPods() {
        return new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null);
    }

    /** A process of the pod: in the victim's network namespace. */
    private Process processInPod() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", pair.victimName(), "sleep", "600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        inPod.add(p);
        // ip netns exec execs sleep in the namespace: wait until the pid is in it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> inode(p.pid())
                .equals(inode(pair.victimName())));
        return p;
    }

    private static String inode(long pid) {
        return inodeOf(java.nio.file.Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    private static String inode(String netns) {
        return inodeOf(java.nio.file.Path.of("/run/netns", netns));
    }

    private static String inodeOf(java.nio.file.Path path) {
        try {
            return String.valueOf(java.nio.file.Files.getAttribute(path, "unix:ino"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private List<String> tables() {
        return ProcessRunner.run("ip", "netns", "exec", pair.victimName(), "nft", "list", "tables").orThrow().stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }

    /** The pods the cluster executor picks for run {@code runId}, as this agent resolves them. */
    private List<ResolvedTarget> resolve(UUID runId, PodTarget target) {
        return resolve(attack::resolve, runId, target);
    }

    /** The pods the cluster executor picks for run {@code runId}, as {@code attack} on this agent resolves them. */
    private List<ResolvedTarget> resolve(java.util.function.BiFunction<UUID, PodTarget, List<ResolvedTarget>> attack,
            UUID runId, PodTarget target) {
        picks.pick(runId, target);
        return attack.apply(runId, target);
    }
}
