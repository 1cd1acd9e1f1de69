package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Trigger;

/**
 * The seed experiments beside the local loop's ({@code experiments/*.yaml}), each carried out for real by the loop's
 * executor and guardian: started as a person would start them (a run-start on the broker), their fault measured on a
 * victim this test creates, stopped by an abort (the guardian's, on the experiment's own rule, or a person's), and
 * the fault measured gone. Each example's target is pointed at this test's victim; nothing else in it changes.
 */
@NeedsHostAttacks
class SeedExamplesIT {

    private static LocalLoop loop;
    private static EventClient kafka;

    /** Healthy values of the metrics an example's rules read, published while its run is in place. */
    private final ScheduledExecutorService metrics = Executors.newSingleThreadScheduledExecutor();
    private final java.util.Deque<AutoCloseable> victims = new java.util.ArrayDeque<>();

    @BeforeAll
    static void startTheLoop() throws Exception {
        Path home = Path.of(System.getProperty("tumult.home", "../../..")).toAbsolutePath().normalize();
        loop = LocalLoop.start(home, home.resolve("deploy/local/demo/target/it-logs-examples"), System.out);
        kafka = new EventClient(loop.stack().config().get("kafka.bootstrap.servers"));
    }

    @AfterAll
    static void stopTheLoop() {
        if (kafka != null) {
            kafka.close();
        }
        if (loop != null) {
            loop.close();
        }
    }

    @AfterEach
    void removeVictims() throws Exception {
        metrics.shutdownNow();
        for (AutoCloseable victim : victims) { // last kept, first closed
            victim.close();
        }
    }

    @Test
    void shouldDelayTheDependencyBy500MillisecondsUntilTheCheckoutLatencyRuleStopsIt() throws Exception {
        // Given: the dependency answers at once
        String victim = loop.netns().victimName();
        assertThat(loop.netns().medianRttMillisFromVictim(10)).isLessThan(50);
        RunStarted run = start("dependency-latency-500ms.yaml", "tumult-test-dependency", victim);
        publishWhileRunning(run, Map.of("checkout_latency_p99_ms", 180.0, "checkout_error_rate", 0.0));

        // When
        kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

        // Then: every answer of the dependency is 500 ms (± 50 ms) late while the run is in place
        awaitStatus(run, RunPhase.INJECTED);
        List<Double> delayed = loop.netns().rttMillisFromVictim(10);
        assertThat(delayed).hasSize(10).allSatisfy(rtt -> assertThat(rtt).isBetween(440.0, 700.0));

        // When: checkout's p99 passes 2 s
        metrics.shutdownNow();
        kafka.publish(EventType.METRIC_SAMPLE, run.runId().toString(),
                new MetricSample("checkout_latency_p99_ms", 2500, Instant.now(), run.runId(), Map.of()), "/tumult/test");

        // Then: the guardian stopped the run on that rule, and the dependency answers at once again
        RunStatus aborted = awaitStatus(run, RunPhase.ABORTED);
        assertThat(aborted.abortReason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(aborted.abortReason().condition().metric()).isEqualTo("checkout_latency_p99_ms");
        assertThat(loop.netns().medianRttMillisFromVictim(10)).isLessThan(50);
        assertThat(ProcessRunner.run("ip", "netns", "exec", victim, "nft", "list", "tables").stdout()).doesNotContain("tumult");
        assertThat(ProcessRunner.run("ip", "netns", "exec", victim, "iptables-save").stdout()).doesNotContain("NFQUEUE");
    }

    @Test
    void shouldKeepTheHostsCoresBusyInTheTargetCgroupUntilAborted() throws Exception {
        // Given: an idle cgroup standing in for the example's /tumult-host
        HostCgroup host = keep(HostCgroup.create());
        assertThat(host.coresBusy(Duration.ofMillis(500))).isLessThan(0.05);
        RunStarted run = start("host-cpu-80.yaml", "/tumult-host", host.path());

        // When
        kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

        // Then: stressors in the cgroup keep the cores busy (80 % of each is asked; a loaded machine gives less, and an
        // idle cgroup stays below 0.05)
        awaitStatus(run, RunPhase.INJECTED);
        assertThat(host.coresBusy(Duration.ofSeconds(2))).isGreaterThan(0.2);

        // When: a person stops it
        abortAsAPerson(run);

        // Then: nothing runs in the cgroup any more
        awaitStatus(run, RunPhase.ABORTED);
        assertThat(host.processes()).isEmpty();
        assertThat(host.coresBusy(Duration.ofMillis(500))).isLessThan(0.05);
    }

    @Test
    void shouldKillTheWorkerWhichItsSupervisorRestartsUntilAborted() throws Exception {
        // Given: order-worker under a supervisor that restarts it whenever it dies
        Path supervisor = Files.createTempFile("tumult-supervisor-", ".sh");
        Files.writeString(supervisor, "while :; do bash -c 'exec -a order-worker-" + ProcessHandle.current().pid()
                + " sleep 1000'; done\n");
        Process supervising = new ProcessBuilder("bash", supervisor.toString()).start();
        keep(() -> {
            supervising.descendants().forEach(ProcessHandle::destroyForcibly);
            supervising.destroyForcibly().waitFor();
            Files.deleteIfExists(supervisor);
        });
        ProcessHandle first = await().atMost(Duration.ofSeconds(10)).until(() -> worker(supervising), Optional::isPresent)
                .orElseThrow();
        RunStarted run = start("process-killer.yaml", "order-worker", "order-worker-" + ProcessHandle.current().pid());
        publishWhileRunning(run, Map.of("jobs_lost_total", 0.0));

        // When
        kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

        // Then: the worker is killed and its supervisor starts a new one
        awaitStatus(run, RunPhase.INJECTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.isAlive());
        ProcessHandle restarted = await().atMost(Duration.ofSeconds(10))
                .until(() -> worker(supervising).filter(w -> w.pid() != first.pid()), Optional::isPresent).orElseThrow();

        // When: a person stops it
        abortAsAPerson(run);

        // Then: the run ended, the restarted worker lives on and the supervisor was never touched
        awaitStatus(run, RunPhase.ABORTED);
        assertThat(restarted.isAlive()).isTrue();
        assertThat(supervising.isAlive()).isTrue();
    }

    /** A run-start for an example experiment, its target text {@code from} replaced by {@code to}. */
    private static RunStarted start(String example, String from, String to) throws IOException {
        String yaml;
        try (InputStream in = SeedExamplesIT.class.getResourceAsStream("/experiments/" + example)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(yaml).as("the example's target").contains(from);
        Experiment experiment = TumultJson.decodeExperiment(yaml.replace(from, to));
        return new RunStarted(UUID.randomUUID(), experiment.metadata().name(), Trigger.MANUAL, Instant.now(),
                experiment.spec());
    }

    private void publishWhileRunning(RunStarted run, Map<String, Double> values) {
        metrics.scheduleAtFixedRate(() -> values.forEach((name, value) -> kafka.publishAsync(EventType.METRIC_SAMPLE,
                run.runId().toString(), new MetricSample(name, value, Instant.now(), run.runId(), Map.of()),
                "/tumult/test")), 0, 200, TimeUnit.MILLISECONDS);
    }

    private static void abortAsAPerson(RunStarted run) {
        kafka.publish(EventType.RUN_ABORTED, run.runId().toString(), new RunAborted(run.runId().toString(),
                "user/seed-examples-it", Instant.now(), new AbortReason(AbortKind.MANUAL, "seen enough", null, null)),
                "/tumult/test");
    }

    private static RunStatus awaitStatus(RunStarted run, RunPhase phase) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> loop.events().first(EventType.RUN_STATUS,
                        s -> s.runId().equals(run.runId()) && s.phase() == phase), Optional::isPresent)
                .orElseThrow();
    }

    private static Optional<ProcessHandle> worker(Process supervisor) {
        return supervisor.descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")).findFirst();
    }

    private <T extends AutoCloseable> T keep(T victim) {
        victims.push(victim);
        return victim;
    }

    /**
     * A cgroup standing in for a host's, {@code /tumult-test-<pid>-host}, in the cgroup v1 controllers the resource
     * attacks use (or the v2 tree); removed with whatever is left in it.
     */
    private record HostCgroup(String path, List<Path> dirs, Path usage, boolean v2) implements AutoCloseable {

        static HostCgroup create() throws IOException {
            String path = "/tumult-test-" + ProcessHandle.current().pid() + "-host";
            Path root = Path.of("/sys/fs/cgroup");
            boolean v2 = !Files.isDirectory(root.resolve("cpuacct"));
            List<Path> dirs = v2 ? List.of(root.resolve(path.substring(1)))
                    : Stream.of("cpu", "cpuacct", "memory", "blkio", "pids").map(c -> root.resolve(c + path)).toList();
            for (Path dir : dirs) {
                Files.createDirectories(dir);
            }
            Path usage = v2 ? dirs.get(0).resolve("cpu.stat") : root.resolve("cpuacct" + path).resolve("cpuacct.usage");
            return new HostCgroup(path, dirs, usage, v2);
        }

        double coresBusy(Duration over) throws IOException, InterruptedException {
            long before = usageNanos();
            long start = System.nanoTime();
            Thread.sleep(over.toMillis()); // sampling CPU time over an interval
            return (double) (usageNanos() - before) / (System.nanoTime() - start);
        }

        private long usageNanos() throws IOException {
            String text = Files.readString(usage).strip();
            if (!v2) {
                return Long.parseLong(text);
            }
            return text.lines().filter(l -> l.startsWith("usage_usec ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .findFirst().orElseThrow() * 1000;
        }

        /** Every process in the cgroup or below it. */
        List<Long> processes() throws IOException {
            try (Stream<Path> files = Files.walk(dirs.get(0))) {
                return files.filter(f -> f.getFileName().toString().equals("cgroup.procs")).flatMap(f -> {
                    try {
                        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).map(Long::parseLong);
                    } catch (IOException e) {
                        return Stream.empty(); // a run cgroup removed while walking
                    }
                }).toList();
            }
        }

        @Override
        public void close() throws IOException {
            for (long pid : processes()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (Path dir : dirs) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).forEach(d -> d.toFile()
                            .delete()); // cgroup directories are removed with rmdir; their files go with them
                }
            }
        }
    }
}
