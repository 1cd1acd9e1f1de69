package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.WorkloadTarget;
import io.tumult.schemas.v1.WorkloadTarget.Resource;

/**
 * Which pods and workloads are candidates: those carrying the experiment's annotations, and, with opt-in required,
 * those that opted in by annotation alone (no opt-in label anywhere), on themselves or on their namespace. On fabric8's
 * mock server (CRUD). What the mock cannot show: a real API server's label filtering (the executor checks labels
 * again on what it lists, and annotations only it filters); controllers and kubelets play no part, resolution only
 * reads.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesTargetsTest {

    private static final Map<String, String> OPT_IN = MockCluster.OPT_IN;

    KubernetesClient kube;
    private MockCluster cluster;
    private KubernetesTargets targets;
    private final UUID runId = UUID.randomUUID();

    @BeforeEach
    void cluster() {
        cluster = new MockCluster(kube).namespace("shop", true)
                .namespace("annotated", Map.of(), OPT_IN)
                .namespace("quiet", false);
        targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
    }

    @Test
    void shouldTakeAsCandidatesOnlyThePodsCarryingEveryAnnotationOfTheExperiment() {
        // Given
        cluster.pod("shop", "cart-1", Map.of("app", "cart"), Map.of("team", "checkout"), "n1", "Running");
        cluster.pod("shop", "cart-2", Map.of("app", "cart"), Map.of("team", "checkout", "tier", "web"), "n1",
                "Running");
        cluster.pod("shop", "cart-3", Map.of("app", "cart"), Map.of("team", "search"), "n1", "Running");
        cluster.pod("shop", "cart-4", Map.of("app", "cart"), Map.of(), "n1", "Running");
        cluster.pod("shop", "cart-5", Map.of("app", "cart", "team", "checkout"), Map.of(), "n1", "Running");
        var target = new PodTarget("shop", Map.of(), SelectionMode.ALL, null, null, null, null,
                Map.of("team", "checkout"));

        // When
        var resolved = targets.pods(runId, target);

        // Then: the annotation, not a label of the same name (cart-5), selects
        assertThat(names(resolved.candidates())).containsExactly("shop/cart-1", "shop/cart-2");
        assertThat(names(resolved.picked())).containsExactlyInAnyOrder("shop/cart-1", "shop/cart-2");
    }

    @Test
    void shouldTakeEveryPodOfANamespaceOptedInByAnnotation() {
        // Given: neither the namespace nor its pods carry the opt-in label
        cluster.pod("annotated", "web-1", Map.of("app", "web"), "n1", "Running");
        cluster.pod("annotated", "web-2", Map.of("app", "web"), "n1", "Running");

        // When
        var resolved = targets.pods(runId, new PodTarget("annotated", Map.of("app", "web"), SelectionMode.ALL, null));

        // Then
        assertThat(names(resolved.candidates())).containsExactly("annotated/web-1", "annotated/web-2");
    }

    @Test
    void shouldTakeOnlyThePodsOptedInByTheirOwnAnnotationInANamespaceThatHasNot() {
        // Given
        cluster.pod("quiet", "web-1", Map.of("app", "web"), OPT_IN, "n1", "Running");
        cluster.pod("quiet", "web-2", Map.of("app", "web"), Map.of("tumult.io/chaos", "disabled"), "n1", "Running");
        cluster.pod("quiet", "web-3", Map.of("app", "web"), "n1", "Running");

        // When
        var resolved = targets.pods(runId, new PodTarget("quiet", Map.of("app", "web"), SelectionMode.ALL, null));

        // Then
        assertThat(names(resolved.candidates())).containsExactly("quiet/web-1");
        assertThat(names(resolved.picked())).containsExactly("quiet/web-1");
    }

    @Test
    void shouldRefuseASelectionThatLeavesNoOptedInPodNamingTheOptIn() {
        // Given: the pods match, but neither they nor their namespace opted in (a label of another value is no opt-in)
        cluster.pod("quiet", "web-1", Map.of("app", "web"), Map.of("tumult.io/chaos", "disabled"), "n1", "Running");
        cluster.pod("quiet", "web-2", Map.of("app", "web"), "n1", "Running");

        // When
        var refused = catchThrowableOfType(AttackException.class, () -> targets.pods(runId, new PodTarget("quiet",
                Map.of("app", "web"), SelectionMode.ONE, null)));

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(refused).hasMessageContaining("2 pod(s) match in [quiet] but none has opted in")
                .hasMessageContaining("the annotation tumult.io/chaos=enabled");
    }

    @Test
    void shouldTakeAWorkloadOptedInByItsOwnAnnotationInANamespaceThatHasNot() {
        // Given
        cluster.deployment("quiet", "cart", 3, Map.of(), OPT_IN);
        cluster.deployment("quiet", "web", 3, Map.of());

        // When
        HasMetadata optedIn = targets.workload(new WorkloadTarget("quiet", Resource.DEPLOYMENT, "cart"));
        var refused = catchThrowableOfType(AttackException.class,
                () -> targets.workload(new WorkloadTarget("quiet", Resource.DEPLOYMENT, "web")));

        // Then
        assertThat(optedIn.getMetadata().getName()).isEqualTo("cart");
        assertThat(refused.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(refused).hasMessageContaining("deployment quiet/web has not opted in")
                .hasMessageContaining("the annotation tumult.io/chaos=enabled");
    }

    @Test
    void shouldTakeEveryWorkloadOfANamespaceOptedInByAnnotation() {
        // Given
        cluster.deployment("annotated", "cart", 3, Map.of());

        // When
        HasMetadata workload = targets.workload(new WorkloadTarget("annotated", Resource.DEPLOYMENT, "cart"));

        // Then
        assertThat(workload.getMetadata().getName()).isEqualTo("cart");
    }

    private static List<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(KubernetesTargets::key).toList();
    }
}
