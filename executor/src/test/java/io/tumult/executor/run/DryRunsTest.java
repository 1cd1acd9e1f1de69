package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.attack.kubernetes.PodKillAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.kubernetes.NodeAgents;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.executor.kubernetes.TestPodNamespaces;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.DryRunResult;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Target;

/**
 * The executor's side of a dry run on fabric8's mock server (CRUD): the targets a run would hit, or the refusal it
 * would meet, and only reads on the API (every recorded call is a get or a list). What the mock cannot show: RBAC (it
 * allows every read, so a ServiceAccount lacking one is not seen here) or a real API server's selector semantics.
 */
@EnableKubernetesMockClient(crud = true)
class DryRunsTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private DryRuns dryRuns;

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).namespace("kube-system", true);
        for (int i = 1; i <= 4; i++) {
            cluster.pod("shop", "cart-" + i, Map.of("app", "cart"), "n1", "Running");
        }
        var targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
        dryRuns = new DryRuns(new AttackRegistry(List.of(new PodKillAttack(kube, targets, Role.CLUSTER, "x"))),
                "executor-test", InstantSource.system());
        ApiCalls.discard(server);
    }

    @Test
    void shouldShowTheTargetsARunWouldHitTouchingNothing() {
        // When
        DryRunResult result = dryRuns.answer(request(new PodTarget("shop", Map.of("app", "cart"),
                SelectionMode.PERCENT, 50), null));

        // Then
        assertThat(result.refused()).isFalse();
        assertThat(result.targets()).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("pod/shop/cart-"));
        assertThat(result.candidates()).isEqualTo(4);
        assertThat(ApiCalls.drain(server)).allSatisfy(c -> assertThat(c.verb()).isIn("get", "list"));
        assertThat(kube.pods().inNamespace("shop").list().getItems()).hasSize(4);
    }

    @Test
    void shouldShowTheRefusalARunWouldMeet() {
        // When
        DryRunResult protectedNs = dryRuns.answer(request(new PodTarget("kube-system", Map.of(), SelectionMode.ALL,
                null), null));
        DryRunResult tooMany = dryRuns.answer(request(new PodTarget("shop", Map.of(), SelectionMode.ALL, null),
                new BlastRadius(3, null)));

        // Then
        assertThat(protectedNs.refused()).isTrue();
        assertThat(protectedNs.reason()).isEqualTo(StatusReason.PERMISSION_DENIED);
        assertThat(protectedNs.message()).contains("kube-system");
        assertThat(tooMany.refused()).isTrue();
        assertThat(tooMany.reason()).isEqualTo(StatusReason.BLAST_RADIUS);
        assertThat(tooMany.message()).contains("maxTargets 3");
    }

    @Test
    void shouldShowInAClusterTheRefusalsOnlyTheRoleDecides() {
        // Given: a cluster executor's dry runs, with the node agents' check, and no node agent pod at all
        var targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
        var pods = new NodePods(targets, new TestPodNamespaces(), Role.CLUSTER);
        var config = TestExecutorConfig.defaults();
        var cluster = new DryRuns(new AttackRegistry(List.of(new NetworkLossAttack(config, pods)), Role.CLUSTER),
                "executor-test", InstantSource.system());
        cluster.checkNodeAgents(new NodeAgents(kube, targets, "tumult", Map.of("app.kubernetes.io/name",
                "tumult-node-agent")));

        // When: an in-pod fault, and a fault on a host's named network namespace
        DryRunResult inPods = cluster.answer(request(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE,
                null), new NetworkLoss(100), null));
        DryRunResult onAHost = cluster.answer(request(new NetworkNamespaceTarget("checkout"), new NetworkLoss(100),
                null));

        // Then: each is refused as its run would be
        assertThat(inPods.refused()).isTrue();
        assertThat(inPods.reason()).isEqualTo(StatusReason.NO_NODE_AGENT);
        assertThat(inPods.message()).contains("no node agent is ready");
        assertThat(onAHost.refused()).isTrue();
        assertThat(onAHost.reason()).isEqualTo(StatusReason.UNSUPPORTED_KIND);
        assertThat(onAHost.message()).contains("names no node");
    }

    private static DryRunRequested request(PodTarget target, BlastRadius radius) {
        return request(target, new PodKill(0), radius);
    }

    private static DryRunRequested request(Target target, AttackSpec attack, BlastRadius radius) {
        return new DryRunRequested(UUID.randomUUID(), "cart-" + attack.kind(), Instant.now(), new ExperimentSpec(null,
                target, attack, Duration.ofSeconds(60), radius, null, null, null));
    }
}
