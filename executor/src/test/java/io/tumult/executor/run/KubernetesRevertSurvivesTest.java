package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.kubernetes.ApiCalls;
import io.tumult.executor.attack.kubernetes.ApiCalls.ApiCall;
import io.tumult.executor.attack.kubernetes.KubernetesFaultSweeper;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.attack.kubernetes.NetworkPolicyPartitionAttack;
import io.tumult.executor.attack.kubernetes.NodeDrainAttack;
import io.tumult.executor.attack.kubernetes.PodFailureAttack;
import io.tumult.executor.attack.kubernetes.ScaleDownAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkPolicyPartition;
import io.tumult.schemas.v1.NetworkPolicyPartition.Direction;
import io.tumult.schemas.v1.NodeDrain;
import io.tumult.schemas.v1.NodeTarget;
import io.tumult.schemas.v1.PodFailure;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.ScaleDown;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.Trigger;
import io.tumult.schemas.v1.WorkloadTarget;
import io.tumult.schemas.v1.WorkloadTarget.Resource;

/**
 * API-level faults outlive the executor that made them, and come back out: here the engine is restarted in this JVM
 * over the same journal directory (the first engine is abandoned mid-run, as a killed process would be: never shut
 * down, its journal's lock released as the kernel does for a dead process), or over an empty one (the executor's pod
 * and its journal are gone) once the run's deadline has passed, from the record on the objects alone. Not a separate
 * executor process: the mock server lives in this JVM. What the mock cannot show: the Deployment controller acting on
 * the replicas, the scheduler honouring a cordon, a network plugin enforcing the partition's NetworkPolicy, and
 * evictions (it has no Eviction API: the drained node has no pods).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesRevertSurvivesTest {

    KubernetesMockServer server;
    KubernetesClient kube;
    @TempDir
    Path dir;
    private final List<RunStatus> statuses = new CopyOnWriteArrayList<>();
    private KubernetesTargets targets;

    @BeforeEach
    void cluster() {
        var cluster = new MockCluster(kube).namespace("shop", true).node("n2", true, false);
        cluster.deployment("shop", "cart", 3, Map.of());
        cluster.pod("shop", "cart-1", Map.of("app", "cart"), "n1", "Running");
        cluster.pod("shop", "search-1", Map.of("app", "search"), "n1", "Running");
        targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
    }

    @Test
    void shouldRestoreTheReplicasWhenAnEngineRestartsOverTheJournalOfOneThatDiedMidRun() throws Exception {
        // Given: a run scaled cart to 0, then its executor died
        FileJournal journal = new FileJournal(dir.resolve("journal"));
        RunEngine first = engine("executor-a", journal, InstantSource.system());
        first.recover().toCompletableFuture().join();
        RunStarted start = scaleDown(Duration.ofMinutes(10));
        first.start(start).toCompletableFuture().join();
        assertThat(replicas()).isZero();
        journal.close(); // the process is gone: so is its lock; nothing was reverted

        // When
        RunEngine second = engine("executor-b", new FileJournal(dir.resolve("journal")), InstantSource.system());
        second.recover().toCompletableFuture().join();

        // Then
        assertThat(replicas()).isEqualTo(3);
        assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
                .getAnnotations()).doesNotContainKey("tumult.io/run-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream().anyMatch(s -> s.runId().equals(
                start.runId()) && s.phase() == RunPhase.FAILED && s.reason() == StatusReason.EXECUTOR_RESTART));
        try (var files = Files.list(dir.resolve("journal"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".json"))).isEmpty();
        }
        second.shutdown();
        first.shutdown(); // its revert finds nothing of its run left
    }

    @Test
    void shouldUncordonTheNodeWhenAnEngineRestartsOverTheJournalOfOneThatDiedMidDrain() throws Exception {
        // Given: a run cordoned n2 (no pods on it: the mock has no Eviction API), then its executor died
        FileJournal journal = new FileJournal(dir.resolve("journal"));
        RunEngine first = engine("executor-a", journal, InstantSource.system());
        first.recover().toCompletableFuture().join();
        RunStarted start = run("n2-drain", new NodeTarget("n2", null, SelectionMode.ALL, null), new NodeDrain(0),
                Duration.ofMinutes(10));
        first.start(start).toCompletableFuture().join();
        var cordoned = kube.nodes().withName("n2").get();
        assertThat(cordoned.getSpec().getUnschedulable()).isTrue();
        assertThat(cordoned.getMetadata().getAnnotations()).containsEntry("tumult.io/run-id", start.runId().toString())
                .containsEntry("tumult.io/original-unschedulable", "false");
        journal.close(); // the process is gone: so is its lock; nothing was reverted

        // When
        RunEngine second = engine("executor-b", new FileJournal(dir.resolve("journal")), InstantSource.system());
        second.recover().toCompletableFuture().join();

        // Then
        var node = kube.nodes().withName("n2").get();
        assertThat(node.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(node.getMetadata().getAnnotations()).doesNotContainKeys("tumult.io/run-id",
                "tumult.io/original-unschedulable");
        assertThat(node.getMetadata().getLabels()).doesNotContainKey("tumult.io/fault");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream().anyMatch(s -> s.runId().equals(
                start.runId()) && s.phase() == RunPhase.FAILED && s.reason() == StatusReason.EXECUTOR_RESTART));
        second.shutdown();
        first.shutdown(); // its revert finds nothing of its run left
    }

    @Test
    void shouldDeleteThePartitionsNetworkPolicyWhenAnEngineRestartsOverTheJournalOfOneThatDiedMidRun()
            throws Exception {
        // Given: a run partitioned search-1 with its NetworkPolicy, then its executor died
        FileJournal journal = new FileJournal(dir.resolve("journal"));
        RunEngine first = engine("executor-a", journal, InstantSource.system());
        first.recover().toCompletableFuture().join();
        RunStarted start = run("search-partition", new PodTarget("shop", Map.of("app", "search"), SelectionMode.ALL,
                null), new NetworkPolicyPartition(Direction.BOTH), Duration.ofMinutes(10));
        first.start(start).toCompletableFuture().join();
        String policy = "tumult-partition-" + start.runId();
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").withName(policy).get()).isNotNull();
        assertThat(kube.pods().inNamespace("shop").withName("search-1").get().getMetadata().getLabels())
                .containsEntry("tumult.io/partition", start.runId().toString());
        journal.close(); // the process is gone: so is its lock; nothing was reverted

        // When
        RunEngine second = engine("executor-b", new FileJournal(dir.resolve("journal")), InstantSource.system());
        second.recover().toCompletableFuture().join();

        // Then
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).isEmpty();
        var pod = kube.pods().inNamespace("shop").withName("search-1").get();
        assertThat(pod.getMetadata().getLabels()).doesNotContainKeys("tumult.io/partition", "tumult.io/fault");
        assertThat(pod.getMetadata().getAnnotations()).doesNotContainKey("tumult.io/run-id");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream().anyMatch(s -> s.runId().equals(
                start.runId()) && s.phase() == RunPhase.FAILED && s.reason() == StatusReason.EXECUTOR_RESTART));
        second.shutdown();
        first.shutdown(); // its revert finds nothing of its run left
    }

    @Test
    void shouldRestoreFromTheObjectsRecordAloneOnceTheDeadlineHasPassedWhenTheJournalIsLost() {
        // Given: a pod failure, a scale-down, a drain and a partition in place, made by an executor whose journal is
        // gone
        // (its clock runs an hour behind, so its own deadline timers stay silent: it acts as if dead)
        RunEngine dead = engine("executor-a", new FileJournal(dir.resolve("lost")),
                InstantSource.fixed(Instant.now().minusSeconds(3600)));
        dead.recover().toCompletableFuture().join();
        dead.start(scaleDown(Duration.ofSeconds(1))).toCompletableFuture().join();
        RunStarted failure = new RunStarted(UUID.randomUUID(), "cart-failure", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null),
                        new PodFailure(), Duration.ofSeconds(1), null, null, null, null));
        dead.start(failure).toCompletableFuture().join();
        dead.start(run("n2-drain", new NodeTarget("n2", null, SelectionMode.ALL, null), new NodeDrain(0),
                Duration.ofSeconds(1))).toCompletableFuture().join();
        dead.start(run("search-partition", new PodTarget("shop", Map.of("app", "search"), SelectionMode.ALL, null),
                new NetworkPolicyPartition(Direction.BOTH), Duration.ofSeconds(1))).toCompletableFuture().join();
        assertThat(replicas()).isZero();
        assertThat(kube.nodes().withName("n2").get().getSpec().getUnschedulable()).isTrue();
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).hasSize(1);
        assertThat(kube.pods().inNamespace("shop").withName("cart-1").get().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("pause:3");
        InstantSource later = InstantSource.fixed(Instant.now().plusSeconds(5)); // past both deadlines

        ApiCalls.discard(server);

        // When
        RunEngine fresh = engine("executor-b", new FileJournal(dir.resolve("fresh")), later);
        fresh.recover().toCompletableFuture().join();

        // Then: found by the sweep's cluster-wide lists of objects carrying a fault record, and restored
        assertThat(ApiCalls.drain(server)).map(ApiCall::toString).contains("list core/pods", "list apps/deployments",
                "list apps/statefulsets", "list core/nodes", "list networking.k8s.io/networkpolicies");
        assertThat(replicas()).isEqualTo(3);
        assertThat(kube.pods().inNamespace("shop").withName("cart-1").get().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("shop/cart:1");
        assertThat(kube.apps().deployments().inNamespace("shop").withLabel("tumult.io/fault").list().getItems())
                .isEmpty();
        assertThat(kube.nodes().withName("n2").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(kube.nodes().withLabel("tumult.io/fault").list().getItems()).isEmpty();
        assertThat(kube.network().v1().networkPolicies().inNamespace("shop").list().getItems()).isEmpty();
        assertThat(kube.pods().inNamespace("shop").withLabel("tumult.io/partition").list().getItems()).isEmpty();
        fresh.shutdown();
        dead.shutdown(); // its reverts find nothing of theirs left
    }

    private RunEngine engine(String id, FileJournal journal, InstantSource clock) {
        var attacks = new AttackRegistry(List.of(new ScaleDownAttack(kube, targets, Role.CLUSTER, id),
                new PodFailureAttack(kube, targets, Role.CLUSTER, id, "pause:3"),
                new NodeDrainAttack(kube, targets, Role.CLUSTER, id),
                new NetworkPolicyPartitionAttack(kube, targets, Role.CLUSTER, id)));
        var config = new TestExecutorConfig(id, 100, Duration.ofSeconds(10), Duration.ofSeconds(1), java.util.Optional
                .empty(), journal.dir(), Duration.ofSeconds(1), List.of("/tumult"), java.util.Optional.empty(),
                java.util.Optional.empty());
        return new RunEngine(attacks, config, status -> {
            statuses.add(status);
            return CompletableFuture.completedFuture(null);
        }, clock, journal, Guards.none(), List.of(new KubernetesFaultSweeper(kube, attacks, id, clock)));
    }

    private RunStarted run(String experiment, Target target, AttackSpec attack, Duration duration) {
        return new RunStarted(UUID.randomUUID(), experiment, Trigger.MANUAL, Instant.now(), new ExperimentSpec(null,
                target, attack, duration, null, null, null, null));
    }

    private RunStarted scaleDown(Duration duration) {
        return new RunStarted(UUID.randomUUID(), "cart-scale-down", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, new WorkloadTarget("shop", Resource.DEPLOYMENT, "cart"), new ScaleDown(0),
                        duration, null, null, null, null));
    }

    private int replicas() {
        return kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas();
    }
}
