package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.attack.kubernetes.PodKillAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.failsafe.FailSafe;
import io.tumult.executor.failsafe.TestHeartbeats;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.kubernetes.NodeAgents;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.executor.kubernetes.SharedPicks;
import io.tumult.executor.kubernetes.TestPodNamespaces;
import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Trigger;

/**
 * Three node agents standing for the agents of three nodes and a cluster executor, on the real broker, each with its
 * own engine, journal-less fail-safe and (for the agents) node; the pods are on fabric8's mock server (CRUD), two per
 * node, and each pod stands for itself in a network namespace of its own (no kubelet here: {@link TestPodNamespaces}).
 * The cluster executor and every agent are handed every run-start, as their consumer groups would be; the cluster
 * executor picks the pods and its claim carries the pick to the agents. Measured on the victims: every picked pod
 * loses its packets, by one agent's table, and no other pod does; the run's blast radius holds over the whole cluster,
 * also when pods come and go between the pick and the agents' action.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@NeedsHostAttacks
class NodeAgentsKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final Map<String, NetnsPair> PODS = new LinkedHashMap<>();
    /** Network namespaces of pods that only come into being while a run is under way (pod churn). */
    private static final Map<String, NetnsPair> LATE_PODS = new LinkedHashMap<>();
    private static final Map<String, String> AGENT_LABELS = Map.of("app.kubernetes.io/name", "tumult-node-agent");
    private static TestHeartbeats heartbeats;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KubernetesMockServer server;
    private KubernetesClient kube;
    private EventClient kafka;
    private final List<Agent> agents = new ArrayList<>();
    private RunEngine clusterExecutor;
    private FailSafe clusterFailSafe;
    private final List<RunStatus> reported = new CopyOnWriteArrayList<>();

    /** One node's agent: engine, fail-safe, node. */
    private record Agent(String node, RunEngine engine, FailSafe failSafe) {
    }

    @BeforeAll
    static void createPods() {
        for (int i = 0; i < 6; i++) {
            PODS.put("shop/cart-" + i, NetnsPair.create());
        }
        for (int i = 6; i < 8; i++) {
            LATE_PODS.put("shop/cart-" + i, NetnsPair.create());
        }
    }

    @AfterAll
    static void removePods() {
        if (heartbeats != null) {
            heartbeats.close();
            heartbeats = null;
        }
        PODS.values().forEach(NetnsPair::close);
        PODS.clear();
        LATE_PODS.values().forEach(NetnsPair::close);
        LATE_PODS.clear();
    }

    @BeforeEach
    void cluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        kube = server.createClient();
        var cluster = new MockCluster(kube).namespace("shop", true);
        int i = 0;
        for (String pod : PODS.keySet()) {
            cluster.pod("shop", pod.substring("shop/".length()), Map.of("app", "cart"), NODES.get(i++ % 3),
                    "Running");
        }
        kafka = new EventClient(bootstrapServers);
        if (heartbeats == null) {
            heartbeats = new TestHeartbeats(bootstrapServers);
        }
        heartbeats.start();
        NODES.forEach(this::agentPod);
        NODES.forEach(node -> agents.add(agent(node)));
        startClusterExecutor();
        await().atMost(WAIT).until(() -> clusterFailSafe.acceptsStarts()
                && agents.stream().allMatch(a -> a.failSafe().acceptsStarts()));
    }

    @AfterEach
    void stopAgents() {
        for (Agent agent : agents) {
            agent.engine().shutdown();
            agent.failSafe().stop();
        }
        agents.clear();
        clusterExecutor.shutdown();
        clusterFailSafe.stop();
        kafka.close();
        kube.close();
        server.destroy();
        allPods().values().forEach(p -> ProcessRunner.run("ip", "netns", "exec", p.victimName(), "nft", "flush",
                "ruleset"));
    }

    @Test
    void shouldHitEveryPickedPodOnceByItsNodesAgentAndNoOtherPod() {
        // Given: half of the six cart pods, across the three nodes
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.PERCENT, 50), null);
        List<String> picked = new KubernetesTargets(kube, MockCluster.defaultPolicy())
                .pods(start.runId(), (PodTarget) start.spec().target()).picked().stream()
                .map(KubernetesTargets::key).toList();

        // When: every agent is handed the start
        handToEveryAgent(start);

        // Then: each picked pod is in exactly one agent's INJECTED status, the agent of its node
        List<RunStatus> injected = reported.stream().filter(s -> s.phase() == RunPhase.INJECTED).toList();
        assertThat(picked).hasSize(3);
        assertThat(injected.stream().flatMap(s -> s.targets().stream()).toList())
                .containsExactlyInAnyOrderElementsOf(picked.stream().map(p -> "pod/" + p).toList());
        for (RunStatus status : injected) {
            String node = status.executor().substring("node-agent-".length());
            assertThat(status.targets()).allSatisfy(t -> assertThat(nodeOf(t.substring("pod/".length())))
                    .isEqualTo(node));
        }
        assertThat(reported).allSatisfy(s -> assertThat(s.phase()).isEqualTo(RunPhase.INJECTED));
        // measured on every pod: the picked ones cut off, by one table each; the others untouched
        for (var pod : PODS.entrySet()) {
            boolean hit = picked.contains(pod.getKey());
            assertThat(tables(pod.getValue())).as(pod.getKey()).hasSize(hit ? 1 : 0);
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isEqualTo(hit ? 100.0 : 0.0);
        }

        // When: the run is aborted
        kafka.publish(EventType.RUN_ABORTED, start.runId().toString(), new RunAborted(start.runId().toString(),
                "test", Instant.now(), new AbortReason(AbortKind.MANUAL, "enough", null, null)), "/test");

        // Then: every agent reverted its share
        await().atMost(WAIT).until(() -> agents.stream().allMatch(a -> a.engine().activeRuns().isEmpty()));
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isZero();
        }
    }

    @Test
    void shouldRefuseOnceForEveryNodeARunWhoseClusterWideSelectionBreaksItsBlastRadius() {
        // Given: all six pods, where the experiment allows two (each node has only two: the cap is cluster-wide)
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ALL, null),
                new BlastRadius(2, null));

        // When
        handToEveryAgent(start);

        // Then: the cluster executor refuses it, and no agent injects (an agent that took the start after reading
        // the refusal says it was refused before it started)
        assertThat(reported.stream().filter(s -> s.executor().equals("cluster-executor"))).singleElement()
                .satisfies(s -> {
                    assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
                    assertThat(s.reason()).isEqualTo(StatusReason.BLAST_RADIUS);
                    assertThat(s.message()).contains("6 targets, maxTargets 2");
                });
        assertThat(reported).allSatisfy(s -> assertThat(s.phase()).isEqualTo(RunPhase.REFUSED));
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isZero();
        }
    }

    @Test
    void shouldInjectANodesShareOnceWhenItsAgentIsHandedTheStartAgainAfterARestart() {
        // Given: a run on one pod, injected by its node's agent
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null), null);
        handToEveryAgent(start);
        RunStatus injected = reported.stream().filter(s -> s.phase() == RunPhase.INJECTED).findFirst().orElseThrow();
        String pod = injected.targets().get(0).substring("pod/".length());
        String node = nodeOf(pod);
        reported.clear();

        // When: that node's agent restarts (same id, a fresh instance) and its start is delivered again
        Agent restarted = agent(node);
        agents.add(restarted);
        await().atMost(WAIT).until(restarted.failSafe()::acceptsStarts);
        restarted.engine().start(start).toCompletableFuture().join();

        // Then: its node's claim holds: nothing more is injected, nothing is said
        assertThat(reported).isEmpty();
        assertThat(restarted.engine().activeRuns()).isEmpty();
        assertThat(tables(PODS.get(pod))).hasSize(1);
    }

    @Test
    void shouldEndEveryNodesShareWhenAnotherNodesShareFails() {
        // Given: a run in place on three pods
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.PERCENT, 50), null);
        handToEveryAgent(start);
        assertThat(agents.stream().filter(a -> !a.engine().activeRuns().isEmpty())).isNotEmpty();

        // When: the agent of a fourth node reports its share failed
        kafka.publish(EventType.RUN_STATUS, start.runId().toString(), new RunStatus(start.runId(), start.experiment(),
                RunPhase.FAILED, Instant.now(), "node-agent-n4", "injection failed: nft refused the table", List.of(),
                null, StatusReason.INTERNAL), "/test");

        // Then: every share is reverted and reported aborted for it
        await().atMost(WAIT).until(() -> agents.stream().allMatch(a -> a.engine().activeRuns().isEmpty()));
        assertThat(reported.stream().filter(s -> s.phase() == RunPhase.ABORTED)).isNotEmpty().allSatisfy(s -> {
            assertThat(s.abortReason().kind()).isEqualTo(AbortKind.PEER_FAILURE);
            assertThat(s.abortReason().message()).contains("node-agent-n4");
        });
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isZero();
        }
    }

    @Test
    void shouldNotInjectANodesShareOnceAnotherNodeRefusedTheRun() {
        // Given: another node's agent refused the run before these agents took its start
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ALL, null), null);
        var refused = kafka.publish(EventType.RUN_STATUS, start.runId().toString(), new RunStatus(start.runId(),
                start.experiment(), RunPhase.REFUSED, Instant.now(), "node-agent-n4", "network-loss needs the 'nft'"
                        + " command",
                List.of(), null, StatusReason.PERMISSION_DENIED), "/test");
        await().atMost(WAIT).until(() -> agents.stream().allMatch(a -> a.failSafe().handled(refused.topic(),
                refused.partition(), refused.offset())));

        // When
        handToEveryAgent(start);

        // Then
        assertThat(reported).hasSize(3).allSatisfy(s -> {
            assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
            assertThat(s.reason()).isEqualTo(StatusReason.ABORTED_BEFORE_START);
        });
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
        }
    }

    @Test
    void shouldTouchNoPodWhenAPickedPodsNodeHasNoReadyAgent() {
        // Given: node agent pods ready on n1 and n2 only (n3 has none: its agent here is not handed the start)
        kube.pods().inNamespace("tumult").withName("tumult-node-agent-n3").delete();
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ALL, null), null);

        // When: the cluster executor and the agents of n1 and n2 are handed the start
        var handed = new ArrayList<CompletableFuture<Void>>();
        handed.add(clusterExecutor.start(start).toCompletableFuture());
        agents.stream().filter(a -> !a.node().equals("n3"))
                .forEach(a -> handed.add(a.engine().start(start).toCompletableFuture()));
        CompletableFuture.allOf(handed.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();

        // Then: the cluster executor refuses the run, naming n3 and its pods
        assertThat(reported.stream().filter(s -> s.executor().equals("cluster-executor"))).singleElement()
                .satisfies(s -> {
                    assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
                    assertThat(s.reason()).isEqualTo(StatusReason.NO_NODE_AGENT);
                    assertThat(s.message()).contains("node n3 (picked: shop/cart-2, shop/cart-5)");
                });
        // and no agent injected anything: without a pick there is nothing to act on
        assertThat(reported).allSatisfy(s -> assertThat(s.phase()).isEqualTo(RunPhase.REFUSED));
        assertThat(agents).allSatisfy(a -> assertThat(a.engine().activeRuns()).isEmpty());
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isZero();
        }
    }

    @Test
    void shouldActOnTheClusterExecutorsPickWhilePodsComeAndGo() {
        // Given: a run of two pods, picked by the cluster executor; then, before any agent acts, two new pods match
        // (a pick made now would take one of them)
        RunStarted start = startWhosePickTheLatePodsChange(new PodTarget("shop", Map.of("app", "cart"),
                SelectionMode.FIXED, 2));
        List<String> picked = pick(start);
        clusterExecutor.start(start).toCompletableFuture().orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();
        addLatePods();
        assertThat(pick(start)).as("a pick made after the change").anySatisfy(p -> assertThat(LATE_PODS)
                .containsKey(p));

        // When: every agent is handed the start
        handToAgents(start);

        // Then: exactly the cluster executor's pick is hit, each pod once; no late pod
        assertThat(reported.stream().filter(s -> s.phase() == RunPhase.INJECTED).flatMap(s -> s.targets().stream()))
                .containsExactlyInAnyOrderElementsOf(picked.stream().map(p -> "pod/" + p).toList());
        for (var pod : allPods().entrySet()) {
            boolean hit = picked.contains(pod.getKey());
            assertThat(tables(pod.getValue())).as(pod.getKey()).hasSize(hit ? 1 : 0);
            assertThat(pod.getValue().lossPercent(10)).as(pod.getKey()).isEqualTo(hit ? 100.0 : 0.0);
        }
    }

    @Test
    void shouldRefuseANodesShareWhosePickedPodsHaveAllGoneAndTouchNothing() {
        // Given: a run of one pod, picked; then that pod is deleted before its agent acts
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null), null);
        String picked = pick(start).get(0);
        clusterExecutor.start(start).toCompletableFuture().orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();
        String node = nodeOf(picked);
        kube.pods().inNamespace("shop").withName(picked.substring("shop/".length())).delete();

        // When
        handToAgents(start);

        // Then: its node's agent says so (the run does not go without a status); no other pod is taken instead
        assertThat(reported).singleElement().satisfies(s -> {
            assertThat(s.executor()).isEqualTo("node-agent-" + node);
            assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
            assertThat(s.reason()).isEqualTo(StatusReason.TARGET_NOT_FOUND);
            assertThat(s.message()).contains(picked);
        });
        for (var pod : PODS.entrySet()) {
            assertThat(tables(pod.getValue())).as(pod.getKey()).isEmpty();
        }
    }

    @Test
    void shouldLeaveAKubernetesApiAttackToTheClusterExecutorWithoutAWord() {
        // Given
        RunStarted start = start(new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null), null);
        RunStarted podKill = new RunStarted(start.runId(), "cart-pod-kill", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, start.spec().target(), new PodKill(0), Duration.ofSeconds(30), null, null,
                        null, null));

        // When
        handToAgents(podKill);

        // Then
        assertThat(reported).isEmpty();
        assertThat(kube.pods().inNamespace("shop").list().getItems()).hasSize(6);
    }

    /** Hands the start to the cluster executor and to every agent, and waits until each has handled it. */
    private void handToEveryAgent(RunStarted start) {
        var handled = new ArrayList<CompletableFuture<Void>>();
        handled.add(clusterExecutor.start(start).toCompletableFuture());
        agents.forEach(a -> handled.add(a.engine().start(start).toCompletableFuture()));
        CompletableFuture.allOf(handled.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** Hands the start to every agent only. */
    private void handToAgents(RunStarted start) {
        var handled = agents.stream().map(a -> a.engine().start(start).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(handled).orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** The cluster executor: picks pods for the agents, claims on the broker, publishes its statuses there. */
    private void startClusterExecutor() {
        var clusterTargets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
        var config = TestExecutorConfig.defaults().withId("cluster-executor");
        clusterExecutor = new RunEngine(new AttackRegistry(List.of(new NetworkLossAttack(config), new PodKillAttack(
                kube, clusterTargets, Role.CLUSTER, config.id())), Role.CLUSTER), config, status -> {
                    reported.add(status);
                    kafka.publish(EventType.RUN_STATUS, status.runId().toString(), status, "/test");
                    return CompletableFuture.completedFuture(null);
                });
        clusterExecutor.checkNodeAgents(new NodeAgents(kube, clusterTargets, "tumult", AGENT_LABELS));
        clusterFailSafe = new FailSafe(clusterExecutor, bootstrapServers, config.id(), Duration.ofSeconds(5),
                Duration.ofHours(1), 1000, InstantSource.system()).guard();
        clusterFailSafe.start();
    }

    private Agent agent(String node) {
        String id = "node-agent-" + node;
        var targets = new KubernetesTargets(kube, MockCluster.defaultPolicy());
        var picks = new SharedPicks(WAIT);
        var pods = new NodePods(targets, namespaces(), Role.NODE, Optional.of(node), picks);
        var config = TestExecutorConfig.defaults().withId(id);
        var attacks = new AttackRegistry(List.of(new NetworkLossAttack(config, pods),
                new PodKillAttack(kube, targets, Role.NODE, id)), Role.NODE);
        var engine = new RunEngine(attacks, config, status -> {
            reported.add(status);
            return CompletableFuture.completedFuture(null);
        });
        var failSafe = new FailSafe(engine, bootstrapServers, id, Duration.ofSeconds(5), Duration.ofHours(1), 1000,
                InstantSource.system(), Duration.ofSeconds(30), Optional.of(node), picks).guard();
        failSafe.start();
        return new Agent(node, engine, failSafe);
    }

    private static TestPodNamespaces namespaces() {
        var namespaces = new TestPodNamespaces();
        allPods().forEach((pod, pair) -> namespaces.network(pod, pair.victimName()));
        return namespaces;
    }

    private static Map<String, NetnsPair> allPods() {
        var all = new LinkedHashMap<>(PODS);
        all.putAll(LATE_PODS);
        return all;
    }

    /** The late pods, on n1 and n2, matching the run's selector. */
    private void addLatePods() {
        var cluster = new MockCluster(kube);
        int i = 0;
        for (String pod : LATE_PODS.keySet()) {
            cluster.pod("shop", pod.substring("shop/".length()), Map.of("app", "cart"), NODES.get(i++ % 2),
                    "Running");
        }
    }

    /** A start whose pick, made again once the late pods exist, would take one of them (most run ids do). */
    private RunStarted startWhosePickTheLatePodsChange(PodTarget target) {
        for (int attempt = 0; attempt < 50; attempt++) {
            RunStarted start = start(target, null);
            addLatePods();
            boolean takesALatePod = pick(start).stream().anyMatch(LATE_PODS::containsKey);
            LATE_PODS.keySet().forEach(p -> kube.pods().inNamespace("shop").withName(p.substring("shop/".length()))
                    .delete());
            if (takesALatePod) {
                return start;
            }
        }
        throw new AssertionError("no run id among 50 whose pick the late pods change");
    }

    /** The pods a pick made now would take. */
    private List<String> pick(RunStarted start) {
        return new KubernetesTargets(kube, MockCluster.defaultPolicy()).pods(start.runId(),
                (PodTarget) start.spec().target()).picked().stream().map(KubernetesTargets::key).toList();
    }

    private String nodeOf(String pod) {
        String[] parts = pod.split("/");
        return kube.pods().inNamespace(parts[0]).withName(parts[1]).get().getSpec().getNodeName();
    }

    private static RunStarted start(PodTarget target, BlastRadius blastRadius) {
        var spec = new ExperimentSpec(null, target, new NetworkLoss(100), Duration.ofSeconds(60), blastRadius, null,
                null, null);
        return new RunStarted(UUID.randomUUID(), "cart-pod-loss", Trigger.MANUAL, Instant.now(), spec);
    }

    /** The node agent pod of {@code node}, running and ready, as the DaemonSet and the kubelet would make it. */
    private void agentPod(String node) {
        kube.pods().inNamespace("tumult").resource(new PodBuilder().withNewMetadata().withName("tumult-node-agent-"
                + node).withNamespace("tumult").withLabels(AGENT_LABELS)
                .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("agent")
                .withImage("tumult/executor:1").endContainer().endSpec().withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    private static List<String> tables(NetnsPair pod) {
        return ProcessRunner.run("ip", "netns", "exec", pod.victimName(), "nft", "list", "tables").orThrow().stdout()
                .lines().filter(l -> !l.isBlank()).toList();
    }
}
