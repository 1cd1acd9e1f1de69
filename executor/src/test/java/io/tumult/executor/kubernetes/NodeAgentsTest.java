package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunClaimed;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.Trigger;

/**
 * A cluster executor's check that the node agents can carry out an in-pod fault: the agents' DaemonSet pods and the
 * run's pods are on fabric8's mock server (CRUD). What the mock cannot show: a kubelet marking an agent ready or not;
 * the tests set each agent pod's Ready condition as the kubelet would.
 */
@EnableKubernetesMockClient(crud = true)
class NodeAgentsTest {

    private static final Map<String, String> AGENT_LABELS = Map.of("app.kubernetes.io/name", "tumult-node-agent");

    KubernetesMockServer server;
    KubernetesClient kube;
    private NodeAgents agents;

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).namespace("tumult", false);
        String[] nodes = { "n1", "n2", "n3" };
        for (int i = 0; i < 6; i++) {
            cluster.pod("shop", "cart-" + i, Map.of("app", "cart"), nodes[i % 3], "Running");
        }
        agents = new NodeAgents(kube, new KubernetesTargets(kube, MockCluster.defaultPolicy()), "tumult",
                AGENT_LABELS);
    }

    @Test
    void shouldRefuseARunWhenNoNodeAgentIsReady() {
        // Given: one agent pod, not ready
        agent("n1", false);
        ApiCalls.discard(server);

        // When
        AttackException refusal = refusal(start(SelectionMode.ALL));

        // Then
        assertThat(refusal.reason()).isEqualTo(Reason.NO_NODE_AGENT);
        assertThat(refusal).hasMessageContaining("no node agent is ready (pods labelled"
                + " app.kubernetes.io/name=tumult-node-agent in namespace tumult)");
        assertThat(ApiCalls.drain(server)).containsExactly(new ApiCall("list", "", "pods", ""));
    }

    @Test
    void shouldRefuseARunWithAPickedPodOnANodeWithoutAReadyAgent() {
        // Given: agents ready on n1 and n2; on n3 one starting (not ready yet)
        agent("n1", true);
        agent("n2", true);
        agent("n3", false);

        // When
        AttackException refusal = refusal(start(SelectionMode.ALL));

        // Then: n3's two pods are named
        assertThat(refusal.reason()).isEqualTo(Reason.NO_NODE_AGENT);
        assertThat(refusal).hasMessageContaining("no node agent is ready on node n3 (picked: shop/cart-2, shop/cart-5)")
                .hasMessageContaining("are on n1, n2");
    }

    @Test
    void shouldPickThePodsForTheAgentsWhenEveryPickedPodsNodeHasOne() {
        // Given: agents ready on n1 and n2 only, and a run picking only pods on those nodes
        agent("n1", true);
        agent("n2", true);
        kube.pods().inNamespace("shop").withName("cart-2").delete();
        kube.pods().inNamespace("shop").withName("cart-5").delete();
        ApiCalls.discard(server);

        // When
        RunStarted start = start(SelectionMode.ALL);
        RunClaimed.Pick pick = agents.pick(start.runId(), start.spec());

        // Then: every pod, each with its node, picked from the four candidates, in two reads
        assertThat(pick.pods()).containsExactlyInAnyOrder(new RunClaimed.PickedPod("shop/cart-0", "n1"),
                new RunClaimed.PickedPod("shop/cart-1", "n2"), new RunClaimed.PickedPod("shop/cart-3", "n1"),
                new RunClaimed.PickedPod("shop/cart-4", "n2"));
        assertThat(pick.candidates()).isEqualTo(4);
        assertThat(ApiCalls.drain(server)).containsOnly(new ApiCall("list", "", "pods", ""),
                new ApiCall("get", "", "namespaces", ""));
    }

    @Test
    void shouldRefuseARunWhoseResolutionIsRefused() {
        // Given: agents ready, and a run in a protected namespace
        agent("n1", true);
        agent("n2", true);
        var protectedTarget = new PodTarget("kube-system", Map.of("app", "cart"), SelectionMode.ALL, null);

        // When
        AttackException refusal = catchThrowableOfType(AttackException.class, () -> agents.pick(UUID.randomUUID(),
                new ExperimentSpec(null, protectedTarget, new NetworkLoss(100), Duration.ofSeconds(60), null, null,
                        null, null)));

        // Then: once, here, for every agent
        assertThat(refusal.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(refusal).hasMessageContaining("kube-system");
    }

    @Test
    void shouldRefuseARunWhenTheAgentsCannotBeListed() {
        // Given: the API server refuses the list (no RBAC for the agents' namespace)
        server.expect().get().withPath("/api/v1/namespaces/tumult/pods?labelSelector="
                + "app.kubernetes.io%2Fname%3Dtumult-node-agent").andReturn(403, "forbidden").always();

        // When
        AttackException refusal = refusal(start(SelectionMode.ALL));

        // Then: fail safe, naming the call
        assertThat(refusal.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(refusal).hasMessageContaining("list node agent pods");
    }

    @Test
    void shouldReadTheAgentSelectorSetting() {
        assertThat(NodeAgents.labels("app.kubernetes.io/name=tumult-node-agent, tier=chaos"))
                .containsExactly(Map.entry("app.kubernetes.io/name", "tumult-node-agent"), Map.entry("tier", "chaos"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeAgents.labels("node-agent"))
                .hasMessageContaining("node-agent-selector");
    }

    private void agent(String node, boolean ready) {
        kube.pods().inNamespace("tumult").resource(new PodBuilder().withNewMetadata()
                .withName("tumult-node-agent-" + node).withNamespace("tumult").withLabels(AGENT_LABELS).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("agent").withImage("tumult/executor:1")
                .endContainer().endSpec().withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build()).create();
    }

    private AttackException refusal(RunStarted start) {
        return catchThrowableOfType(AttackException.class, () -> agents.pick(start.runId(), start.spec()));
    }

    private static RunStarted start(SelectionMode mode) {
        return new RunStarted(UUID.randomUUID(), "cart-pod-loss", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, new PodTarget("shop", Map.of("app", "cart"), mode, null), new NetworkLoss(100),
                        Duration.ofSeconds(60), null, null, null, null));
    }
}
