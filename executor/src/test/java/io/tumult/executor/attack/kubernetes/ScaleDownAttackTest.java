package io.tumult.executor.attack.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.ScaleDown;
import io.tumult.schemas.v1.WorkloadTarget;
import io.tumult.schemas.v1.WorkloadTarget.Resource;

/**
 * scale-down on fabric8's mock server (CRUD mode). The mock cannot show that the Deployment or StatefulSet controller
 * removes the pods (a StatefulSet's highest ordinals first) and brings them back: it runs no controllers. It shows
 * the calls made and the object's state after each.
 */
@EnableKubernetesMockClient(crud = true)
class ScaleDownAttackTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private ScaleDownAttack attack;
    private final UUID runId = UUID.randomUUID();
    private final Instant deadline = Instant.now().plusSeconds(60);

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).namespace("kube-system", true);
        cluster.deployment("shop", "cart", 3, Map.of());
        cluster.deployment("kube-system", "coredns", 2, MockCluster.OPT_IN);
        cluster.statefulSet("shop", "orders-db", 3, Map.of());
        attack = new ScaleDownAttack(kube, new KubernetesTargets(kube, MockCluster.defaultPolicy()), Role.CLUSTER,
                "executor-test");
        ApiCalls.discard(server);
    }

    @Test
    void shouldScaleDownRecordingTheOriginalOnTheObjectAndRestoreExactlyIt() {
        // Given
        var target = attack.resolve(runId, new WorkloadTarget("shop", Resource.DEPLOYMENT, "cart")).get(0);
        Injection injection = attack.plan(runId, deadline, new ScaleDown(0), target);

        // When
        attack.apply(new ScaleDown(0), injection);

        // Then
        var faulted = kube.apps().deployments().inNamespace("shop").withName("cart").get();
        assertThat(faulted.getSpec().getReplicas()).isZero();
        assertThat(faulted.getMetadata().getAnnotations()).containsEntry("tumult.io/original-replicas", "3")
                .containsEntry("tumult.io/run-id", runId.toString())
                .containsEntry("tumult.io/deadline", deadline.toString());
        assertThat(faulted.getMetadata().getLabels()).containsEntry("tumult.io/fault", "scale-down");

        attack.apply(new ScaleDown(0), attack.plan(runId, deadline, new ScaleDown(0), target)); // replayed
        attack.recover(injection);
        attack.recover(injection); // idempotent
        var restored = kube.apps().deployments().inNamespace("shop").withName("cart").get();
        assertThat(restored.getSpec().getReplicas()).isEqualTo(3);
        assertThat(restored.getMetadata().getAnnotations()).doesNotContainKeys("tumult.io/run-id",
                "tumult.io/original-replicas");
        assertThat(restored.getMetadata().getLabels()).doesNotContainKey("tumult.io/fault");
        assertThat(ApiCalls.drain(server)).containsOnly(new ApiCall("get", "", "namespaces", ""),
                new ApiCall("get", "apps", "deployments", ""), new ApiCall("patch", "apps", "deployments", ""));
    }

    @Test
    void shouldScaleDownAStatefulSetAndRestoreExactlyItsOriginalReplicas() {
        // Given
        var target = attack.resolve(runId, new WorkloadTarget("shop", Resource.STATEFULSET, "orders-db")).get(0);
        Injection injection = attack.plan(runId, deadline, new ScaleDown(1), target);

        // When
        attack.apply(new ScaleDown(1), injection);

        // Then
        var faulted = kube.apps().statefulSets().inNamespace("shop").withName("orders-db").get();
        assertThat(faulted.getSpec().getReplicas()).isEqualTo(1);
        assertThat(faulted.getMetadata().getAnnotations()).containsEntry("tumult.io/original-replicas", "3")
                .containsEntry("tumult.io/run-id", runId.toString())
                .containsEntry("tumult.io/deadline", deadline.toString());
        assertThat(faulted.getMetadata().getLabels()).containsEntry("tumult.io/fault", "scale-down");

        attack.apply(new ScaleDown(1), attack.plan(runId, deadline, new ScaleDown(1), target)); // replayed
        attack.recover(injection);
        attack.recover(injection); // idempotent
        var restored = kube.apps().statefulSets().inNamespace("shop").withName("orders-db").get();
        assertThat(restored.getSpec().getReplicas()).isEqualTo(3);
        assertThat(restored.getMetadata().getAnnotations()).doesNotContainKeys("tumult.io/run-id",
                "tumult.io/original-replicas");
        assertThat(restored.getMetadata().getLabels()).doesNotContainKey("tumult.io/fault");
        assertThat(ApiCalls.drain(server)).containsOnly(new ApiCall("get", "", "namespaces", ""),
                new ApiCall("get", "apps", "statefulsets", ""), new ApiCall("patch", "apps", "statefulsets", ""));

        assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas())
                .isEqualTo(3); // the namespace's other workload is untouched
    }

    @Test
    void shouldRefuseAWorkloadThatDoesNotExistOrIsProtectedNamingIt() {
        // When
        var missing = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new WorkloadTarget("shop", Resource.DEPLOYMENT, "carts")));
        var wrongKind = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new WorkloadTarget("shop", Resource.STATEFULSET, "cart")));
        var protectedNs = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(runId, new WorkloadTarget("kube-system", Resource.DEPLOYMENT, "coredns")));

        // Then
        assertThat(missing.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(missing).hasMessageContaining("deployment shop/carts");
        assertThat(wrongKind).hasMessageContaining("statefulset shop/cart");
        assertThat(protectedNs.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(protectedNs).hasMessageContaining("kube-system").hasMessageContaining("protected");
        assertThat(kube.apps().deployments().inNamespace("kube-system").withName("coredns").get().getSpec()
                .getReplicas()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAWorkloadUnderAnotherRunsFault() {
        // Given
        var target = attack.resolve(runId, new WorkloadTarget("shop", Resource.DEPLOYMENT, "cart")).get(0);
        attack.inject(runId, new ScaleDown(1), target);
        UUID other = UUID.randomUUID();

        // When
        var refused = catchThrowableOfType(AttackException.class,
                () -> attack.plan(other, deadline, new ScaleDown(0), target));

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(refused).hasMessageContaining(runId.toString());
        assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas())
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseNamingTheStatefulSetWhenItIsGoneBetweenPlanAndApplyLeavingNothingBehind() {
        // Given: resolved and planned, then deleted before the patch
        var target = attack.resolve(runId, new WorkloadTarget("shop", Resource.STATEFULSET, "orders-db")).get(0);
        Injection injection = attack.plan(runId, deadline, new ScaleDown(0), target);
        kube.apps().statefulSets().inNamespace("shop").withName("orders-db").delete();

        // When
        var refused = catchThrowableOfType(AttackException.class, () -> attack.apply(new ScaleDown(0), injection));

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(refused).hasMessageContaining("statefulset shop/orders-db").hasMessageContaining("HTTP 404");
        attack.recover(injection); // the revert of a failed apply: nothing of the run's is there, nothing is made
        assertThat(kube.apps().statefulSets().inNamespace("shop").list().getItems()).isEmpty();
    }

    @Test
    void shouldFailNamingTheDeploymentOnAConflictLeavingItsReplicasAndNoRecord() {
        // Given: another writer changed cart between our read and our patch
        var target = attack.resolve(runId, new WorkloadTarget("shop", Resource.DEPLOYMENT, "cart")).get(0);
        Injection injection = attack.plan(runId, deadline, new ScaleDown(0), target);
        server.expect().patch().withPath("/apis/apps/v1/namespaces/shop/deployments/cart")
                .andReturn(HttpURLConnection.HTTP_CONFLICT, new StatusBuilder().withCode(409).withReason("Conflict")
                        .withMessage("Operation cannot be fulfilled on deployments.apps \"cart\": the object has been"
                                + " modified")
                        .build())
                .always();

        // When
        var failure = catchThrowableOfType(AttackException.class, () -> attack.apply(new ScaleDown(0), injection));

        // Then
        assertThat(failure.reason()).isEqualTo(Reason.INTERNAL);
        assertThat(failure).hasMessageContaining("patch deployment shop/cart").hasMessageContaining("HTTP 409");
        var untouched = kube.apps().deployments().inNamespace("shop").withName("cart").get();
        assertThat(untouched.getSpec().getReplicas()).isEqualTo(3);
        assertThat(untouched.getMetadata().getAnnotations()).doesNotContainKey("tumult.io/run-id");
        attack.recover(injection); // the revert of a failed apply: no record of the run's, so no patch
        assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    void shouldFailNamingTheDeploymentWhenTheApiServerDoesNotAnswerInTime() {
        // Given: a client that waits 1s for an answer, and a patch the server answers only after 5s (never applied)
        var impatient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(kube.getConfiguration())
                .withRequestTimeout(1000).withRequestRetryBackoffLimit(0).build()).build();
        var slow = new ScaleDownAttack(impatient, new KubernetesTargets(impatient, MockCluster.defaultPolicy()),
                Role.CLUSTER, "executor-test");
        var target = slow.resolve(runId, new WorkloadTarget("shop", Resource.DEPLOYMENT, "cart")).get(0);
        Injection injection = slow.plan(runId, deadline, new ScaleDown(0), target);
        server.expect().patch().delay(5, TimeUnit.SECONDS).withPath("/apis/apps/v1/namespaces/shop/deployments/cart")
                .andReturn(HttpURLConnection.HTTP_OK, kube.apps().deployments().inNamespace("shop").withName("cart")
                        .get())
                .once();

        // When
        var failure = catchThrowableOfType(AttackException.class, () -> slow.apply(new ScaleDown(0), injection));

        // Then
        assertThat(failure.reason()).isEqualTo(Reason.INTERNAL);
        assertThat(failure).hasMessageContaining("patch deployment shop/cart").hasMessageContaining(
                "no answer from the API server").hasMessageContaining("timeout");
        var untouched = kube.apps().deployments().inNamespace("shop").withName("cart").get();
        assertThat(untouched.getSpec().getReplicas()).isEqualTo(3);
        assertThat(untouched.getMetadata().getAnnotations()).doesNotContainKey("tumult.io/run-id");
        slow.recover(injection);
        assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas())
                .isEqualTo(3);
        impatient.close();
    }
}
