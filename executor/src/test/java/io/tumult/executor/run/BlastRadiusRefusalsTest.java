package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.attack.kubernetes.PodKillAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.BlastRadiusPolicy;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Trigger;

/**
 * Runs the blast-radius policy refuses, as the engine reports them (REFUSED, the reason, a message naming the rule),
 * and that a refused run touches nothing: every call it made is a read, and every pod is still there. On fabric8's
 * mock server (CRUD). What the mock cannot show: a ReplicaSet recreating the pod a permitted run kills (here it stays
 * deleted, which is what shows the run acted on it).
 */
@EnableKubernetesMockClient(crud = true)
class BlastRadiusRefusalsTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    private final List<RunStatus> statuses = new CopyOnWriteArrayList<>();
    private RunEngine engine;

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).namespace("quiet", false);
        for (int i = 1; i <= 4; i++) {
            cluster.pod("shop", "cart-" + i, Map.of("app", "cart"), "n1", "Running");
        }
        cluster.pod("quiet", "web-1", Map.of("app", "web"), MockCluster.OPT_IN, "n1", "Running");
        cluster.pod("quiet", "web-2", Map.of("app", "web"), "n1", "Running");
        cluster.pod("quiet", "db-1", Map.of("app", "db"), Map.of("tumult.io/chaos", "disabled"), "n1", "Running");
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.shutdown();
        }
    }

    @Test
    void shouldRefuseARunBeyondTheGlobalMaxTargetsNamingTheCapAndTouchingNothing() {
        // Given
        engine = engine(policy(Optional.of(2), Optional.empty()));
        RunStarted start = podKill(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ALL, null));
        ApiCalls.discard(server);

        // When
        engine.start(start).toCompletableFuture().join();

        // Then
        assertRefusedTouchingNothing(start, StatusReason.BLAST_RADIUS,
                "global blast radius exceeded: 4 targets, tumult.executor.kubernetes.max-targets 2");
    }

    @Test
    void shouldRefuseARunBeyondTheGlobalMaxPercentageNamingTheCapAndTouchingNothing() {
        // Given
        engine = engine(policy(Optional.empty(), Optional.of(50)));
        RunStarted start = podKill(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.FIXED, 3));
        ApiCalls.discard(server);

        // When
        engine.start(start).toCompletableFuture().join();

        // Then
        assertRefusedTouchingNothing(start, StatusReason.BLAST_RADIUS,
                "global blast radius exceeded: 3 of 4 candidates, tumult.executor.kubernetes.max-percentage 50");
    }

    @Test
    void shouldRefuseARunWhoseSelectionLeavesNoOptedInPodNamingTheOptIn() {
        // Given: db-1 matches, but neither it (its opt-in annotation has another value) nor its namespace opted in
        engine = engine(MockCluster.defaultPolicy());
        RunStarted start = podKill(new PodTarget("quiet", Map.of("app", "db"), SelectionMode.ALL, null));
        ApiCalls.discard(server);

        // When
        engine.start(start).toCompletableFuture().join();

        // Then
        assertRefusedTouchingNothing(start, StatusReason.PERMISSION_DENIED, "1 pod(s) match in [quiet] but none has opted in");
        assertThat(statusOf(start).message()).contains("the annotation tumult.io/chaos=enabled");
    }

    @Test
    void shouldActOnlyOnThePodOptedInByItsOwnAnnotationInANamespaceThatHasNot() {
        // Given
        engine = engine(MockCluster.defaultPolicy());
        RunStarted start = podKill(new PodTarget("quiet", Map.of(), SelectionMode.ALL, null));

        // When
        engine.start(start).toCompletableFuture().join();

        // Then
        assertThat(statusOf(start).phase()).isEqualTo(RunPhase.INJECTED);
        assertThat(statusOf(start).targets()).containsExactly("pod/quiet/web-1");
        assertThat(kube.pods().inNamespace("quiet").list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("web-2", "db-1");
    }

    private void assertRefusedTouchingNothing(RunStarted start, StatusReason reason, String message) {
        assertThat(ApiCalls.drain(server)).isNotEmpty().allSatisfy(c -> assertThat(c.verb()).isIn("get", "list"));
        RunStatus status = statusOf(start);
        assertThat(status.phase()).isEqualTo(RunPhase.REFUSED);
        assertThat(status.reason()).isEqualTo(reason);
        assertThat(status.message()).contains(message);
        assertThat(kube.pods().inAnyNamespace().list().getItems()).hasSize(7);
    }

    private RunStatus statusOf(RunStarted start) {
        return statuses.stream().filter(s -> s.runId().equals(start.runId())).reduce((first, last) -> last)
                .orElseThrow(() -> new AssertionError("no status for run " + start.runId()));
    }

    private static BlastRadiusPolicy policy(Optional<Integer> maxTargets, Optional<Integer> maxPercentage) {
        return new BlastRadiusPolicy(Set.of("kube-system"), Optional.empty(), true, "tumult.io/chaos=enabled",
                "tumult.io/chaos=enabled", maxTargets, maxPercentage);
    }

    private RunEngine engine(BlastRadiusPolicy policy) {
        var targets = new KubernetesTargets(kube, policy);
        return new RunEngine(new AttackRegistry(List.of(new PodKillAttack(kube, targets, Role.CLUSTER,
                "executor-test"))), TestExecutorConfig.defaults(), status -> {
                    statuses.add(status);
                    return CompletableFuture.completedFuture(null);
                });
    }

    private static RunStarted podKill(PodTarget target) {
        return new RunStarted(UUID.randomUUID(), "cart-pod-kill", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, target, new PodKill(0), Duration.ofSeconds(60), null, null, null, null));
    }
}
