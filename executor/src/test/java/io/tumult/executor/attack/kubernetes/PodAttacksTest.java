package io.tumult.executor.attack.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.NetworkPolicyPartition;
import io.tumult.schemas.v1.NetworkPolicyPartition.Direction;
import io.tumult.schemas.v1.NodeDrain;
import io.tumult.schemas.v1.NodeTarget;
import io.tumult.schemas.v1.PodFailure;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;

/**
 * Pod and node attacks on fabric8's mock server (CRUD mode). What the mock cannot show: a killed or evicted pod being
 * recreated by its ReplicaSet, the kubelet restarting containers with the pause image, a NetworkPolicy being enforced
 * by a network plugin, a PodDisruptionBudget refusing an eviction (the mock has no disruption controller), the grace
 * period being honoured (only the one sent is seen), and API errors arising on their own (a real API server's
 * conflicts and timeouts are stood in for by the mock's expectations). It shows the calls made, in which order, and every
 * object's state after
 * them.
 */
@EnableKubernetesMockClient(crud = true)
class PodAttacksTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private KubernetesTargets targets;
    private final UUID runId = UUID.randomUUID();
    private final Instant deadline = Instant.now().plusSeconds(60);

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).namespace("kube-system", true)
                .namespace("quiet", false).node("n1", true, false).node("n2", false, false);
        for (int i = 1; i <= 4; i++) {
            cluster.pod("shop", "cart-" + i, Map.of("app", "cart", "tier", i <= 2 ? "web" : "api"), i % 2 == 0 ? "n2"
                    : "n1", "Running");
        }
        cluster.pod("shop", "cart-pending", Map.of("app", "cart", "tier", "web"), "n1", "Pending");
        cluster.pod("kube-system", "coredns-1", Map.of("app", "coredns"), "n1", "Running");
        cluster.pod("quiet", "cart-9", Map.of("app", "cart"), "n1", "Running");
        targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
        ApiCalls.discard(server);
    }

    @Test
    void shouldKillTheSelectedPodsWithTheirGracePeriod() {
        // Given
        var attack = new PodKillAttack(kube, targets, Role.CLUSTER, "executor-test");
        var target = new PodTarget(null, Map.of(), SelectionMode.ALL, null, List.of("shop"),
                "app=cart,tier in (web)", "status.phase=Running", null);
        List<ResolvedTarget> resolved = attack.resolve(runId, target);

        // When
        resolved.forEach(t -> attack.apply(new PodKill(5), attack.plan(runId, deadline, new PodKill(5), t)));

        // Then
        assertThat(resolved).extracting(ResolvedTarget::name).containsExactlyInAnyOrder("shop/cart-1", "shop/cart-2");
        var requests = ApiCalls.drainRecorded(server);
        assertThat(kube.pods().inNamespace("shop").list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("cart-3", "cart-4", "cart-pending");
        assertThat(requests).extracting(r -> ApiCalls.parse(r.getMethod(), r.getPath())).containsOnly(
                new ApiCall("get", "", "namespaces", ""), new ApiCall("list", "", "pods", ""),
                new ApiCall("delete", "", "pods", ""));
        var deletes = requests.stream().filter(r -> r.getMethod().equals("DELETE")).toList();
        assertThat(deletes).extracting(RecordedRequest::getPath).containsExactlyInAnyOrder(
                "/api/v1/namespaces/shop/pods/cart-1", "/api/v1/namespaces/shop/pods/cart-2");
        assertThat(deletes).extracting(r -> Serialization.unmarshal(r.getUtf8Body(), DeleteOptions.class)
                .getGracePeriodSeconds()).containsExactly(5L, 5L);
    }

    @Test
    void shouldMakeAPodFailForTheRunAndRestoreItsImages() {
        // Given
        var attack = new PodFailureAttack(kube, targets, Role.CLUSTER, "executor-test", "pause:3");
        var target = attack.resolve(runId, new PodTarget("shop", Map.of(), SelectionMode.ONE, null, null,
                "tier=api", null, null)).get(0);
        Injection injection = attack.plan(runId, deadline, new PodFailure(), target);

        // When
        attack.apply(new PodFailure(), injection);

        // Then
        Pod failed = pod(target);
        assertThat(failed.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getImage()).isEqualTo("pause:3"));
        assertThat(failed.getMetadata().getAnnotations()).containsEntry("tumult.io/original-images",
                "app=shop/cart:1,sidecar=proxy:2");
        attack.recover(injection);
        attack.recover(injection);
        Pod restored = pod(target);
        assertThat(restored.getSpec().getContainers()).extracting(c -> c.getImage())
                .containsExactly("shop/cart:1", "proxy:2");
        assertThat(restored.getMetadata().getAnnotations()).doesNotContainKey("tumult.io/run-id");
        assertThat(ApiCalls.drain(server)).containsOnly(new ApiCall("get", "", "namespaces", ""),
                new ApiCall("list", "", "pods", ""), new ApiCall("get", "", "pods", ""),
                new ApiCall("patch", "", "pods", ""));
    }

    @Test
    void shouldPartitionPodsWithANetworkPolicyDeletedAtTheRevert() {
        // Given
        var attack = new NetworkPolicyPartitionAttack(kube, targets, Role.CLUSTER, "executor-test");
        var resolved = attack.resolve(runId, new PodTarget("shop", Map.of("tier", "web"), SelectionMode.ALL, null,
                null, null, "spec.nodeName=n1", null));
        var spec = new NetworkPolicyPartition(Direction.INGRESS);
        var injections = resolved.stream().map(t -> attack.plan(runId, deadline, spec, t)).toList();

        // When
        injections.forEach(i -> attack.apply(spec, i));

        // Then
        var injectCalls = ApiCalls.drain(server);
        assertThat(resolved).extracting(ResolvedTarget::name).containsExactlyInAnyOrder("shop/cart-1",
                "shop/cart-pending");
        var policy = kube.network().v1().networkPolicies().inNamespace("shop")
                .withName(NetworkPolicyPartitionAttack.policyName(runId)).get();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).isEmpty();
        assertThat(kube.pods().inNamespace("shop").withLabel("tumult.io/partition", runId.toString()).list()
                .getItems()).hasSize(2);
        ApiCalls.discard(server);
        attack.recover(injections.get(0));
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).hasSize(1);
        ApiCalls.discard(server);
        attack.recover(injections.get(1));
        attack.recover(injections.get(1));
        var revertCalls = ApiCalls.drain(server);
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).isEmpty();
        assertThat(kube.pods().inNamespace("shop").withLabel("tumult.io/partition").list().getItems()).isEmpty();
        assertThat(injectCalls).containsOnly(new ApiCall("get", "", "namespaces", ""),
                new ApiCall("list", "", "pods", ""), new ApiCall("get", "", "pods", ""),
                new ApiCall("patch", "", "pods", ""), new ApiCall("create", "networking.k8s.io", "networkpolicies", ""),
                new ApiCall("get", "networking.k8s.io", "networkpolicies", ""),
                new ApiCall("update", "networking.k8s.io", "networkpolicies", ""));
        assertThat(revertCalls).containsOnly(new ApiCall("get", "", "pods", ""), new ApiCall("patch", "", "pods", ""),
                new ApiCall("list", "", "pods", ""), new ApiCall("delete", "networking.k8s.io", "networkpolicies", ""));
    }

    @Test
    void shouldCordonANodeAndEvictItsPodsSparingProtectedNamespacesAndUncordonIt() {
        // Given: the mock has no Eviction API in CRUD mode, and answers no field selector on spec.nodeName: both are
        // answered here, one eviction refused as a PodDisruptionBudget would (429)
        var onN1 = new io.fabric8.kubernetes.api.model.PodListBuilder().withItems(kube.pods().inAnyNamespace().list()
                .getItems().stream().filter(p -> "n1".equals(p.getSpec().getNodeName())).toList()).build();
        server.expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").andReturn(200, onN1)
                .always();
        // (a client that gives up on a 429 at once: fabric8 retries it with back-off by default, as kubectl does)
        var impatient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(kube.getConfiguration()).withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        var attack = new NodeDrainAttack(impatient, new KubernetesTargets(impatient, MockCluster.defaultPolicy()),
                Role.CLUSTER, "executor-test");
        var target = attack.resolve(runId, new NodeTarget(null, "tumult.io/chaos", SelectionMode.ALL, null));
        Injection injection = attack.plan(runId, deadline, new NodeDrain(0), target.get(0));
        for (String pod : List.of("shop/cart-1", "shop/cart-3", "quiet/cart-9")) {
            String[] p = pod.split("/");
            server.expect().post().withPath("/api/v1/namespaces/" + p[0] + "/pods/" + p[1] + "/eviction")
                    .andReturn(201, new StatusBuilder().withCode(201).build()).always();
        }
        server.expect().post().withPath("/api/v1/namespaces/shop/pods/cart-pending/eviction")
                .andReturn(429, new StatusBuilder().withCode(429).withMessage("Cannot evict pod as it would violate"
                        + " the pod's disruption budget.").build())
                .always();
        ApiCalls.discard(server);

        // When
        attack.apply(new NodeDrain(0), injection);

        // Then
        var requests = ApiCalls.drainRequests(server);
        assertThat(kube.nodes().withName("n1").get().getSpec().getUnschedulable()).isTrue();
        assertThat(requests).filteredOn(r -> r.endsWith("/eviction")).containsExactlyInAnyOrder(
                "POST /api/v1/namespaces/shop/pods/cart-1/eviction", "POST /api/v1/namespaces/shop/pods/cart-3/eviction",
                "POST /api/v1/namespaces/shop/pods/cart-pending/eviction",
                "POST /api/v1/namespaces/quiet/pods/cart-9/eviction");
        attack.recover(injection);
        attack.recover(injection);
        assertThat(kube.nodes().withName("n1").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(kube.nodes().withName("n1").get().getMetadata().getLabels()).doesNotContainKey("tumult.io/fault");
        assertThat(requests.stream().map(r -> ApiCalls.parse(r.split(" ", 2)[0], r.split(" ", 2)[1])))
                .containsOnly(new ApiCall("get", "", "nodes", ""), new ApiCall("patch", "", "nodes", ""),
                        new ApiCall("list", "", "pods", ""), new ApiCall("create", "", "pods", "eviction"));
    }

    @Test
    void shouldRefuseProtectedNamespacesAndPodsThatHaveNotOptedInNamingWhy() {
        // Given
        var attack = new PodKillAttack(kube, targets, Role.CLUSTER, "executor-test");

        // When
        var protectedNs = catchThrowableOfType(AttackException.class, () -> attack.resolve(runId,
                new PodTarget(null, Map.of(), SelectionMode.ALL, null, List.of("shop", "kube-system"), null, null,
                        null)));
        var notOptedIn = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new PodTarget("quiet", Map.of("app", "cart"), SelectionMode.ALL, null)));
        var nothing = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new PodTarget("shop", Map.of("app", "carts"), SelectionMode.ALL, null)));
        var missingNs = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new PodTarget("shops", Map.of(), SelectionMode.ALL, null)));

        // Then
        assertThat(protectedNs.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(protectedNs).hasMessageContaining("namespace kube-system is protected");
        assertThat(notOptedIn.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(notOptedIn).hasMessageContaining("none has opted in").hasMessageContaining("tumult.io/chaos");
        assertThat(nothing.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(missingNs).hasMessageContaining("no namespace shops");
        assertThat(kube.pods().inAnyNamespace().list().getItems()).hasSize(7);
    }

    @Test
    void shouldRefuseAnAttackOnTheWrongTargetKindAndOnANodeAgent() {
        // When
        var wrongKind = catchThrowableOfType(AttackException.class, () -> new ScaleDownAttack(kube, targets,
                Role.CLUSTER, "x").resolve(runId, new PodTarget("shop", Map.of(), SelectionMode.ALL, null)));
        var nodeAgent = catchThrowableOfType(AttackException.class, () -> new PodKillAttack(kube, targets,
                Role.NODE, "x").resolve(runId, new PodTarget("shop", Map.of(), SelectionMode.ALL, null)));

        // Then
        assertThat(wrongKind.reason()).isEqualTo(Reason.UNSUPPORTED_KIND);
        assertThat(wrongKind).hasMessageContaining("scale-down acts on [workload] targets, not on a pod target");
        assertThat(nodeAgent.reason()).isEqualTo(Reason.UNSUPPORTED_KIND);
        assertThat(nodeAgent).hasMessageContaining("node agent");
    }

    @Test
    void shouldFailNamingThePodWhenTheApiForbidsThePatchLeavingItsRecordIntact() {
        // Given: the executor's ServiceAccount may read pods but not patch them
        var attack = new PodFailureAttack(kube, targets, Role.CLUSTER, "executor-test", "pause:3");
        var target = new ResolvedTarget("pod", "shop/cart-3");
        Injection injection = attack.plan(runId, deadline, new PodFailure(), target);
        server.expect().patch().withPath("/api/v1/namespaces/shop/pods/cart-3")
                .andReturn(HttpURLConnection.HTTP_FORBIDDEN, new StatusBuilder().withCode(403)
                        .withMessage("pods \"cart-3\" is forbidden: cannot patch").build())
                .always();

        // When
        var failure = catchThrowableOfType(AttackException.class, () -> attack.apply(new PodFailure(), injection));

        // Then
        assertThat(failure.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(failure).hasMessageContaining("patch pod shop/cart-3").hasMessageContaining("HTTP 403");
        assertThat(pod(target).getSpec().getContainers().get(0).getImage()).isEqualTo("shop/cart:1");
        assertThat(injection.handle()).containsEntry("images", "app=shop/cart:1,sidecar=proxy:2");
    }

    @Test
    void shouldRefuseNamingThePodWhenItIsGoneBetweenPlanAndApplyLeavingNothingBehind() {
        // Given: planned, then deleted (by its controller, a person) before the patch
        var attack = new PodFailureAttack(kube, targets, Role.CLUSTER, "executor-test", "pause:3");
        var target = new ResolvedTarget("pod", "shop/cart-3");
        Injection injection = attack.plan(runId, deadline, new PodFailure(), target);
        kube.pods().inNamespace("shop").withName("cart-3").delete();

        // When
        var refused = catchThrowableOfType(AttackException.class, () -> attack.apply(new PodFailure(), injection));

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(refused).hasMessageContaining("pod shop/cart-3").hasMessageContaining("HTTP 404");
        attack.recover(injection); // the revert of a failed apply: nothing of the run's is there, nothing is made
        assertThat(pod(target)).isNull();
    }

    @Test
    void shouldFailNamingTheNodeWhenItsCordonConflictsEvictingNothingAndLeavingNoRecord() {
        // Given: another writer changed n1 between our read and our patch
        var attack = new NodeDrainAttack(kube, targets, Role.CLUSTER, "executor-test");
        var target = attack.resolve(runId, new NodeTarget("n1", null, SelectionMode.ALL, null)).get(0);
        Injection injection = attack.plan(runId, deadline, new NodeDrain(0), target);
        server.expect().patch().withPath("/api/v1/nodes/n1").andReturn(HttpURLConnection.HTTP_CONFLICT,
                new StatusBuilder().withCode(409).withReason("Conflict").withMessage(
                        "Operation cannot be fulfilled on nodes \"n1\": the object has been modified").build())
                .always();
        ApiCalls.discard(server);

        // When
        var failure = catchThrowableOfType(AttackException.class, () -> attack.apply(new NodeDrain(0), injection));

        // Then
        var calls = ApiCalls.drain(server);
        assertThat(failure.reason()).isEqualTo(Reason.INTERNAL);
        assertThat(failure).hasMessageContaining("cordon node n1").hasMessageContaining("HTTP 409");
        assertThat(calls).doesNotContain(new ApiCall("create", "", "pods", "eviction"),
                new ApiCall("list", "", "pods", ""));
        var node = kube.nodes().withName("n1").get();
        assertThat(node.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(node.getMetadata().getLabels()).doesNotContainKey("tumult.io/fault");
        attack.recover(injection); // no record of the run's on the node: nothing to uncordon
        assertThat(kube.pods().inAnyNamespace().list().getItems()).hasSize(7);
    }

    @Test
    void shouldFailNamingThePolicyWhenTheApiServerDoesNotAnswerAndRevertTheHalfAppliedPartition() {
        // Given: a client that waits 1s for an answer, and a create of the policy answered only after 5s
        var impatient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(kube.getConfiguration()).withRequestTimeout(1000)
                        .withRequestRetryBackoffLimit(0).build())
                .build();
        var attack = new NetworkPolicyPartitionAttack(impatient, new KubernetesTargets(impatient,
                MockCluster.defaultPolicy()), Role.CLUSTER, "executor-test");
        var target = new ResolvedTarget("pod", "shop/cart-1");
        var spec = new NetworkPolicyPartition(Direction.BOTH);
        Injection injection = attack.plan(runId, deadline, spec, target);
        String policy = NetworkPolicyPartitionAttack.policyName(runId);
        server.expect().post().delay(5, TimeUnit.SECONDS)
                .withPath("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies")
                .andReturn(HttpURLConnection.HTTP_CREATED, new StatusBuilder().withCode(201).build()).once();

        // When
        var failure = catchThrowableOfType(AttackException.class, () -> attack.apply(spec, injection));

        // Then: the pod, changed first, carries the run's record, so the revert finds it
        assertThat(failure.reason()).isEqualTo(Reason.INTERNAL);
        assertThat(failure).hasMessageContaining("networkpolicy shop/" + policy)
                .hasMessageContaining("no answer from the API server");
        assertThat(pod(target).getMetadata().getLabels()).containsEntry("tumult.io/partition", runId.toString())
                .containsEntry("tumult.io/fault", "network-policy-partition");
        assertThat(pod(target).getMetadata().getAnnotations()).containsEntry("tumult.io/run-id", runId.toString());
        // (an API server may still apply a call it did not answer in time)
        kube.network().v1().networkPolicies().inNamespace("shop").resource(
                new NetworkPolicyBuilder().withNewMetadata()
                        .withName(policy).withNamespace("shop").endMetadata().build())
                .create();
        attack.recover(injection);
        assertThat(pod(target).getMetadata().getLabels()).doesNotContainKeys("tumult.io/partition",
                "tumult.io/fault");
        assertThat(pod(target).getMetadata().getAnnotations()).doesNotContainKey("tumult.io/run-id");
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).isEmpty();
        impatient.close();
    }

    private Pod pod(ResolvedTarget target) {
        String[] nsName = target.name().split("/");
        return kube.pods().inNamespace(nsName[0]).withName(nsName[1]).get();
    }
}
