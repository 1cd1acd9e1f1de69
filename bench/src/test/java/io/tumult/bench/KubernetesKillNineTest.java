package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.local.EventClient;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalKafka;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.GuardianHeartbeat;
import io.tumult.schemas.v1.PodFailure;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.ScaleDown;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;
import io.tumult.schemas.v1.WorkloadTarget;
import io.tumult.schemas.v1.WorkloadTarget.Resource;

/**
 * An API-level fault survives its executor's {@code kill -9}, and the next executor restores it: the packaged executor
 * (role {@code all}) in a JVM of its own, on the real broker, against fabric8's mock server in CRUD mode as the
 * cluster's API (no kube-apiserver here), scales a Deployment to 0 and swaps a pod's images for the pause image, is
 * killed with SIGKILL while both are in place, and a new executor on the same journal puts back the exact replicas
 * and images and reports both runs FAILED, {@code executor-restart}.
 * <p>
 * What the mock cannot show: no controller acts on the objects (no ReplicaSet scales pods up or down, no kubelet
 * restarts the pod's containers with the images); the test reads the objects' specs, which is what the executor
 * changes and restores.
 */
@NeedsHostAttacks // the packaged executor's start-up checks its host tools; the faults here touch no host
class KubernetesKillNineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldRestoreTheReplicasAndImagesOfAKilledExecutorsRunsWhenTheNextStarts() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "kubernetes-kill-nine"));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        try (KubernetesClient kube = server.createClient();
                LocalKafka kafka = LocalKafka.start();
                var events = new EventClient(kafka.bootstrapServers())) {
            // Given: an opted-in namespace with a Deployment of 3 and a pod, a guardian beating, and an executor
            var cluster = new MockCluster(kube).namespace("shop", true);
            cluster.deployment("shop", "cart", 3, Map.of());
            cluster.pod("shop", "search-1", Map.of("app", "search"), "n1", "Running");
            heartbeat.scheduleAtFixedRate(() -> events.publishAsync(EventType.GUARDIAN_HEARTBEAT, "bench",
                    new GuardianHeartbeat("bench", Instant.now(), Duration.ofMillis(300), 0), "/bench"), 0, 300,
                    TimeUnit.MILLISECONDS);
            String clusterApi = "-Dquarkus.kubernetes-client.api-server-url=" + kube.getMasterUrl()
                    + " -Dquarkus.kubernetes-client.trust-certs=true -Dquarkus.kubernetes-client.namespace=default";
            GuardedProcess first = ExecutorProcess.start(kafka.bootstrapServers(), "tumult-k8s-none", work, "first",
                    clusterApi);
            RunStarted scaleDown = run("cart-scale-down", new ExperimentSpec(null, new WorkloadTarget("shop",
                    Resource.DEPLOYMENT, "cart"), new ScaleDown(0), Duration.ofMinutes(10), null, null, null, null));
            RunStarted podFailure = run("search-failure", new ExperimentSpec(null, new PodTarget("shop",
                    Map.of("app", "search"), SelectionMode.ONE, null), new PodFailure(), Duration.ofMinutes(10), null,
                    null, null, null));
            GuardedProcess second = null;
            try {
                events.publish(EventType.RUN_STARTED, scaleDown.runId().toString(), scaleDown, "/bench");
                events.publish(EventType.RUN_STARTED, podFailure.runId().toString(), podFailure, "/bench");
                await().atMost(WAIT).until(() -> replicas(kube) == 0 && !image(kube).equals("shop/search:1"));

                // When: the executor is killed with both faults in place, and another starts on its journal
                ProcessHandle java = ExecutorProcess.javaOf(first);
                java.destroyForcibly();
                java.onExit().get(10, TimeUnit.SECONDS);
                assertThat(replicas(kube)).as("replicas while no executor runs").isZero();
                second = ExecutorProcess.start(kafka.bootstrapServers(), "tumult-k8s-none", work, "second", clusterApi);

                // Then: the exact replicas and images are back, the records are gone, and both runs end FAILED
                GuardedProcess restarted = second;
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(restarted.isAlive()).isTrue();
                    assertThat(replicas(kube)).isEqualTo(3);
                    assertThat(image(kube)).isEqualTo("shop/search:1");
                });
                assertThat(kube.apps().deployments().inNamespace("shop").withName("cart").get().getMetadata()
                        .getAnnotations()).doesNotContainKey("tumult.io/run-id");
                var statuses = events.read(Topics.RUN_STATUS, rs -> ended(events, rs, scaleDown, podFailure), WAIT);
                for (RunStarted run : List.of(scaleDown, podFailure)) {
                    assertThat(events.events(EventType.RUN_STATUS, statuses)).as("statuses of %s", run.experiment())
                            .anySatisfy(s -> {
                                assertThat(s.runId()).isEqualTo(run.runId());
                                assertThat(s.phase()).isEqualTo(RunPhase.FAILED);
                                assertThat(s.reason()).isEqualTo(StatusReason.EXECUTOR_RESTART);
                            });
                }
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        } finally {
            heartbeat.shutdownNow();
            server.destroy();
        }
    }

    private static boolean ended(EventClient events,
            List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> records, RunStarted... runs) {
        List<RunStatus> statuses = events.events(EventType.RUN_STATUS, records);
        for (RunStarted run : runs) {
            if (statuses.stream().noneMatch(s -> s.runId().equals(run.runId()) && s.phase() == RunPhase.FAILED)) {
                return false;
            }
        }
        return true;
    }

    private static RunStarted run(String experiment, ExperimentSpec spec) {
        return new RunStarted(UUID.randomUUID(), experiment, Trigger.MANUAL, Instant.now(), spec);
    }

    private static int replicas(KubernetesClient kube) {
        return kube.apps().deployments().inNamespace("shop").withName("cart").get().getSpec().getReplicas();
    }

    private static String image(KubernetesClient kube) {
        return kube.pods().inNamespace("shop").withName("search-1").get().getSpec().getContainers().get(0).getImage();
    }
}
