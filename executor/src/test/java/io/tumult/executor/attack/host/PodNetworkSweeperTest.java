package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.LeftoverSweeper.Swept;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
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
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;

/**
 * A node agent starting after one that left faults in its node's pods without a journal: the tables of runs not
 * active here go, measured on the victims; an active run's stays, and so does a table in a pod of another node. Pods
 * stand for themselves as network namespaces; their objects are on fabric8's mock server. What the mock cannot show:
 * the kubelet placing pods on nodes or tearing down a deleted pod's namespace; the node names are only what the test
 * wrote on the objects.
 */
@NeedsHostAttacks
@EnableKubernetesMockClient(crud = true)
class PodNetworkSweeperTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private final TestPodNamespaces namespaces = new TestPodNamespaces();
    private TestPicks picks;
    private final Map<String, NetnsPair> pods = new java.util.LinkedHashMap<>();

    @BeforeEach
    void cluster() {
        picks = new TestPicks(kube);
        var cluster = new MockCluster(kube).namespace("shop", true);
        for (String[] pod : new String[][] { { "cart-1", "n1" }, { "cart-2", "n1" }, { "cart-3", "n2" } }) {
            cluster.pod("shop", pod[0], Map.of("app", pod[0]), pod[1], "Running");
            var pair = NetnsPair.create();
            pods.put(pod[0], pair);
            namespaces.network("shop/" + pod[0], pair.victimName());
        }
    }

    @AfterEach
    void removePods() {
        pods.values().forEach(NetnsPair::close);
    }

    @Test
    void shouldDeleteTheTablesOfRunsNotActiveHereInThisNodesPodsOnly() {
        // Given: faults left in every pod, by the agents of n1 and n2; one run on n1 is still active
        UUID left = UUID.randomUUID();
        UUID active = UUID.randomUUID();
        UUID otherNode = UUID.randomUUID();
        inject(left, "cart-1", "n1");
        inject(active, "cart-2", "n1");
        inject(otherNode, "cart-3", "n2");
        var sweeper = new PodNetworkSweeper(TestExecutorConfig.defaults(), agentOn("n1"));
        // the mock's CRUD mode does not filter on spec.nodeName: the answer a kube-apiserver gives is set here
        var onN1 = new PodListBuilder().withItems(kube.pods().inNamespace("shop").list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName().equals("n1")).toList()).build();
        server.expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").andReturn(200, onN1)
                .always();
        ApiCalls.discard(server);

        // When
        List<Swept> swept = sweeper.sweep(Set.of(active)::contains);

        // Then
        assertThat(swept).singleElement().satisfies(s -> {
            assertThat(s.runId()).contains(left);
            assertThat(s.what()).contains("shop/cart-1");
        });
        assertThat(pods.get("cart-1").lossPercent(10)).isZero();
        assertThat(pods.get("cart-2").lossPercent(10)).isEqualTo(100.0);
        assertThat(pods.get("cart-3").lossPercent(10)).isEqualTo(100.0);
        // one list for the whole node, no lookup per pod
        assertThat(ApiCalls.drain(server, ApiCalls.NODE_AGENT)).containsOnly(new ApiCall("list", "", "pods", ""));
        pods.values().forEach(p -> ProcessRunner.run("ip", "netns", "exec", p.victimName(), "nft", "flush",
                "ruleset"));
    }

    @Test
    void shouldSweepNoPodOutsideTheNodeAgentRole() {
        // Given
        UUID left = UUID.randomUUID();
        inject(left, "cart-1", "n1");
        var sweeper = new PodNetworkSweeper(TestExecutorConfig.defaults(), new NodePods(new KubernetesTargets(kube,
                MockCluster.defaultPolicy()), namespaces, Role.ALL));

        // When
        List<Swept> swept = sweeper.sweep(id -> false);

        // Then
        assertThat(swept).isEmpty();
        assertThat(pods.get("cart-1").lossPercent(10)).isEqualTo(100.0);
        ProcessRunner.run("ip", "netns", "exec", pods.get("cart-1").victimName(), "nft", "flush", "ruleset");
    }

    private NodePods agentOn(String node) {
        return new NodePods(new KubernetesTargets(kube, MockCluster.defaultPolicy()), namespaces, Role.NODE,
                Optional.of(node), picks.picks());
    }

    /** A fault as an agent of {@code node} injects it, then forgotten: no journal, no revert. */
    private void inject(UUID runId, String pod, String node) {
        var attack = new NetworkLossAttack(TestExecutorConfig.defaults(), agentOn(node));
        var selected = new PodTarget("shop", Map.of("app", pod), SelectionMode.ONE, null);
        picks.pick(runId, selected);
        var target = attack.resolve(runId, selected).get(0);
        attack.inject(runId, new NetworkLoss(100), target);
    }
}
