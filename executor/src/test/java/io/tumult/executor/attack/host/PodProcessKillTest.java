package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.executor.kubernetes.TestPicks;
import io.tumult.executor.kubernetes.TestPodNamespaces;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.ProcessKill;
import io.tumult.schemas.v1.SelectionMode;

/**
 * process-kill on a pod, measured on its victims: the pod's container stands for itself as a shell in a PID namespace
 * of its own ({@code unshare --pid}), with a {@code sleep} inside; the same {@code sleep} command line runs on the host
 * too. Only the one inside the pod's namespace dies, and the container's main process (PID 1 there) stays. The pod is
 * on fabric8's mock server; this agent is on its node. What the mock cannot show: the kubelet restarting a killed
 * container (in a new PID namespace) or reporting the kill in the pod's status.
 */
@NeedsHostAttacks
@EnableKubernetesMockClient(crud = true)
class PodProcessKillTest {

    KubernetesClient kube;
    private final String mark = "1000." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    private final TestPodNamespaces namespaces = new TestPodNamespaces();
    private TestPicks picks;
    private ProcessKillAttack attack;

    @BeforeEach
    void cluster() {
        picks = new TestPicks(kube);
        new MockCluster(kube).namespace("shop", true).pod("shop", "cart-1", Map.of("app", "cart"), "n1", "Running");
        attack = new ProcessKillAttack(TestExecutorConfig.defaults().allowingProcesses("^sleep 1000\\.[0-9]+$"),
                new NodePods(new KubernetesTargets(kube, MockCluster.defaultPolicy()), namespaces, Role.NODE,
                        Optional.of("n1"), picks.picks()));
    }

    @AfterEach
    void stopVictims() {
        attack.close();
        ProcessHandle.allProcesses().filter(p -> RunProcesses.commandLine(p.pid()).contains(mark))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void shouldSignalTheMatchingProcessesInThePodsContainersOnly() throws Exception {
        // Given: the pod's container (sh as its PID 1, a sleep inside) and the same sleep on the host
        detached("unshare", "--pid", "--fork", "sh", "-c", "sleep " + mark + " & while :; do wait; sleep 0.2; done");
        detached("sleep", mark);
        long container = await().atMost(Duration.ofSeconds(10)).until(() -> find("sh -c"), Optional::isPresent)
                .orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> sleeps().size() == 2);
        long inPod = sleeps().stream().filter(pid -> sameNamespace(pid, container)).findFirst().orElseThrow();
        long onHost = sleeps().stream().filter(pid -> pid != inPod).findFirst().orElseThrow();
        namespaces.containers("shop/cart-1", Map.of("app", container));
        UUID runId = UUID.randomUUID();
        ResolvedTarget pod = resolve(runId, new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE,
                null)).get(0);

        // When
        attack.inject(runId, new ProcessKill("KILL", null, null, "^sleep " + mark.replace(".", "\\.") + "$"), pod);

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(inPod));
        assertThat(RunProcesses.alive(onHost)).as("the same command on the host").isTrue();
        assertThat(RunProcesses.alive(container)).as("the container's main process").isTrue();
    }

    @Test
    void shouldFollowARestartedContainerAtTheNextInterval() throws Exception {
        // Given: the pod's container with a sleep inside, and a killer every 300 ms
        long[] first = startContainer();
        namespaces.containers("shop/cart-1", Map.of("app", first[0]));
        killInPod(UUID.randomUUID(), "KILL", Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(first[1]));

        // When: the container restarts (its runtime starts a new one, in a PID namespace of its own)
        ProcessHandle.of(first[0]).ifPresent(ProcessHandle::destroyForcibly);
        long[] second = startContainer(); // the killer still has the dead one: this sleep lives
        namespaces.containers("shop/cart-1", Map.of("app", second[0])); // what the API says once it has restarted

        // Then: the restarted container's sleep dies too, and its main process stays
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(second[1]));
        assertThat(RunProcesses.alive(second[0])).as("the restarted container's main process").isTrue();
    }

    @Test
    void shouldNeverStopAProcessInANamespaceThatOnlyReusedAJournaledInode() throws Exception {
        // Given: a STOP killer every 200 ms on the pod's container, its sleep stopped
        long[] first = startContainer();
        String journaled = Processes.namespaceOf(first[0]);
        namespaces.containers("shop/cart-1", Map.of("app", first[0]));
        killInPod(UUID.randomUUID(), "STOP", Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(10)).until(() -> stopped(first[1]));

        // When: the container dies and a new PID namespace on the node, not the pod's, gets its inode back
        ProcessHandle.of(first[0]).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).until(() -> !RunProcesses.alive(first[0])
                && !RunProcesses.alive(first[1]));
        long[] other = startContainer();
        org.junit.jupiter.api.Assumptions.assumeTrue(Processes.namespaceOf(other[0]).equals(journaled),
                "the kernel gave the new namespace another inode: nothing to show");

        // Then: over several intervals, the other namespace's sleep is never stopped
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> !stopped(other[1]));
    }

    /**
     * Starts a container as its runtime would: a shell as PID 1 of a PID namespace of its own, with the marked sleep
     * inside. Returns {its main process, the sleep}.
     */
    private long[] startContainer() throws Exception {
        var before = ProcessHandle.allProcesses().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        detached("unshare", "--pid", "--fork", "sh", "-c", "sleep " + mark + " & while :; do wait; sleep 60; done");
        long main = await().atMost(Duration.ofSeconds(10)).until(() -> find("sh -c").filter(p -> !before.contains(p)),
                Optional::isPresent).orElseThrow();
        long sleep = await().atMost(Duration.ofSeconds(10)).until(() -> sleeps().stream()
                .filter(pid -> sameNamespace(pid, main)).findFirst(), Optional::isPresent).orElseThrow();
        return new long[] { main, sleep };
    }

    /** The run's pod, picked and resolved, with a killer of the marked sleep injected. */
    private void killInPod(UUID runId, String signal, Duration interval) {
        ResolvedTarget pod = resolve(runId, new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE,
                null)).get(0);
        attack.inject(runId, new ProcessKill(signal, interval, null, "^sleep " + mark.replace(".", "\\.") + "$"),
                pod);
    }

    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException e) {
            return false;
        }
    }

    /** The detached process (its parent, setsid, exits) whose command line starts with {@code prefix} and has the mark. */
    private Optional<Long> find(String prefix) {
        return ProcessHandle.allProcesses().filter(p -> RunProcesses.commandLine(p.pid()).startsWith(prefix)
                && RunProcesses.commandLine(p.pid()).contains(mark)).map(ProcessHandle::pid).findFirst();
    }

    private List<Long> sleeps() {
        return ProcessHandle.allProcesses().filter(p -> RunProcesses.commandLine(p.pid()).equals("sleep " + mark))
                .map(ProcessHandle::pid).toList();
    }

    private static void detached(String... command) throws Exception {
        var argv = new java.util.ArrayList<>(List.of("setsid", "-f"));
        argv.addAll(List.of(command));
        Process setsid = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(setsid.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static boolean sameNamespace(long a, long b) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(a), "ns", "pid"))
                    .equals(Files.readSymbolicLink(Path.of("/proc", Long.toString(b), "ns", "pid")));
        } catch (IOException e) {
            return false;
        }
    }

    /** The pods the cluster executor picks for run {@code runId}, as this agent resolves them. */
    private List<ResolvedTarget> resolve(UUID runId, PodTarget target) {
        picks.pick(runId, target);
        return attack.resolve(runId, target);
    }
}
