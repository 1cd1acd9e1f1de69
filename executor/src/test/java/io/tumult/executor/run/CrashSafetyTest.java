package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.Trigger;

/**
 * Crash safety measured on a real victim: the journal, the guard outside the JVM, start-up recovery and the revert
 * that is retried, with real nftables loss in a real namespace and real processes killed with SIGKILL.
 */
@NeedsHostAttacks
class CrashSafetyTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private NetnsPair pair;
    private Path dir;
    private TestExecutorConfig config;
    private FileJournal journal;
    private RunEngine engine;
    private Process child;
    private final List<RunStatus> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createVictim() throws IOException {
        pair = NetnsPair.create();
        dir = Files.createTempDirectory("tumult-journal-test-");
        config = TestExecutorConfig.defaults().journalingIn(dir);
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (engine != null) {
            engine.shutdown();
        }
        if (child != null) {
            child.destroyForcibly();
        }
        if (journal != null) {
            journal.close();
        }
        guardsOnVictim().forEach(ProcessHandle::destroyForcibly); // only guards of this test's victim
        pair.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void shouldRevertTheVictimsLossWhenTheExecutorIsKilled() throws Exception {
        // Given: a separate executor-like JVM has journaled, guarded and applied 100 % loss on the victim
        child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                GuardedInjectionMain.class.getName(), dir.toString(), pair.victimName(), "300")
                .redirectErrorStream(true).start();
        String ready = awaitLine(child, "READY ");
        UUID runId = UUID.fromString(ready.substring("READY ".length()).strip());
        assertThat(pair.lossPercent(10)).as("victim cut off").isEqualTo(100.0);
        await().atMost(WAIT).until(() -> guardsOf(runId).size() == 1); // the spare guard took its orders

        // When: it is killed with SIGKILL: no shutdown hook, no finally
        child.destroyForcibly();

        // Then: the guard has removed the loss table, measured on the victim (how fast, against the 1 s goal, is
        // bench/'s KillNineTrialTest's measure, not a timed assertion here)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !tablesIn(pair.victimName()).contains("tumult_"));
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> guardsOf(runId).isEmpty());
        // the journal entry stays for start-up recovery to report the run
        journal = new FileJournal(dir);
        assertThat(journal.entries()).extracting(JournalEntry::runId).containsExactly(runId);
    }

    @Test
    void shouldRevertAndReportAJournaledFaultLeftByADeadExecutorBeforeTakingRuns() {
        // Given: an executor journaled and applied loss, then died before it could revert (and its guard with it)
        var attack = new NetworkLossAttack(config);
        UUID deadRun = UUID.randomUUID();
        ResolvedTarget victim = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        Injection left = attack.plan(deadRun, new NetworkLoss(100), victim);
        try (var deadExecutorsJournal = new FileJournal(dir)) {
            deadExecutorsJournal.record(new JournalEntry(deadRun, "left-behind", Instant.now().plusSeconds(300),
                    "executor-dead", left));
        }
        attack.apply(new NetworkLoss(100), left);
        // and a second fault, tagged but never journaled (left by a crash between apply and the journal of old)
        UUID untracked = UUID.randomUUID();
        attack.inject(untracked, new NetworkLoss(100), victim);
        assertThat(tablesIn(pair.victimName())).contains(deadRun.toString().replace("-", ""))
                .contains(untracked.toString().replace("-", ""));
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        journal = new FileJournal(dir);
        var confined = config.confinedTo(pair.victimName());
        engine = new RunEngine(new AttackRegistry(List.of(new NetworkLossAttack(confined))), confined, this::record,
                InstantSource.system(), journal, new ProcessGuards(InstantSource.system(), dir.resolve("guards.log")),
                List.of(new NetworkLossAttack(confined)));
        // a run-start arriving before recovery waits for it
        RunStarted next = start(pair.victimName(), Duration.ofSeconds(60));
        CompletionStage<Void> nextStarted = engine.start(next);
        assertThat(nextStarted.toCompletableFuture()).isNotDone();
        assertThat(published).isEmpty();

        // When
        engine.recover().toCompletableFuture().join();

        // Then: both faults are gone, measured on the victim, and both runs are reported
        await().atMost(WAIT).until(() -> statusOf(next.runId(), RunPhase.INJECTED) != null);
        assertThat(published.get(0).runId()).isIn(deadRun, untracked);
        RunStatus dead = statusOf(deadRun, RunPhase.FAILED);
        assertThat(dead.reason()).isEqualTo(StatusReason.EXECUTOR_RESTART);
        assertThat(dead.message()).contains("reverted after an executor restart").contains("executor-dead");
        assertThat(dead.experiment()).isEqualTo("left-behind");
        assertThat(dead.targets()).containsExactly("network-namespace/" + pair.victimName());
        RunStatus swept = statusOf(untracked, RunPhase.FAILED);
        assertThat(swept.reason()).isEqualTo(StatusReason.EXECUTOR_RESTART);
        assertThat(swept.message()).contains("tumult_" + untracked.toString().replace("-", ""));
        assertThat(journal.entries()).extracting(JournalEntry::runId).containsExactly(next.runId());
        assertThat(tablesIn(pair.victimName())).doesNotContain(deadRun.toString().replace("-", ""))
                .doesNotContain(untracked.toString().replace("-", ""));
        // the new run's fault is the only one in place; aborting it leaves the victim clean
        engine.abort(abort(next)).toCompletableFuture().join();
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        assertThat(journal.entries()).isEmpty();
    }

    @Test
    void shouldRetryAFailingRevertUntilItSucceeds() {
        // Given: a loss attack whose revert fails three times before it works
        var flaky = new FlakyLoss(new NetworkLossAttack(config), 3);
        journal = new FileJournal(dir);
        engine = engineWith(flaky, Guards.none());
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(60));
        engine.start(start).toCompletableFuture().join();
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);

        // When
        engine.abort(abort(start)).toCompletableFuture().join();

        // Then
        assertThat(flaky.recoverCalls.get()).isEqualTo(4);
        assertThat(statusOf(start.runId(), RunPhase.ABORTED)).isNotNull();
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        assertThat(journal.entries()).isEmpty();
    }

    @Test
    void shouldReportFailedNamingWhatIsStillInPlaceWhenTheRevertNeverSucceeds() {
        // Given: a revert that always fails, a deadline 3 s away and a 1 s grace
        var flaky = new FlakyLoss(new NetworkLossAttack(config), Integer.MAX_VALUE);
        journal = new FileJournal(dir);
        engine = engineWith(flaky, Guards.none());
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(3));
        engine.start(start).toCompletableFuture().join();

        // When: aborted at once
        engine.abort(abort(start)).toCompletableFuture().join();

        // Then: retried past the deadline and the grace, then reported failed, naming the fault still there
        assertThat(Instant.now()).isAfter(start.deadline().plus(config.revertGrace()));
        assertThat(flaky.recoverCalls.get()).isGreaterThan(Reverter.MIN_ATTEMPTS);
        RunStatus failed = statusOf(start.runId(), RunPhase.FAILED);
        assertThat(failed.reason()).isEqualTo(StatusReason.REVERT_FAILED);
        String table = "tumult_" + start.runId().toString().replace("-", "");
        assertThat(failed.message()).contains("still in place").contains("network-namespace/" + pair.victimName())
                .contains(table);
        assertThat(engine.unrevertedInjections()).isEqualTo(1);
        // what the status says is true on the victim, and the journal keeps it for the next start
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        assertThat(journal.entries()).extracting(JournalEntry::runId).containsExactly(start.runId());
    }

    @Test
    void shouldRevertAtTheDeadlineAndStandTheGuardDown() {
        // Given: a run with real guards and a deadline 3 s away
        journal = new FileJournal(dir);
        engine = engineWith(new NetworkLossAttack(config), new ProcessGuards(InstantSource.system(),
                dir.resolve("guards.log")));
        RunStarted start = start(pair.victimName(), Duration.ofSeconds(3));
        engine.start(start).toCompletableFuture().join();
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        await().atMost(WAIT).until(() -> guardsOf(start.runId()).size() == 1);

        // When: the deadline passes with the executor alive
        await().atMost(WAIT).until(() -> statusOf(start.runId(), RunPhase.REVERTED) != null);

        // Then
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        assertThat(journal.entries()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> guardsOf(start.runId()).isEmpty());
    }

    @Test
    void shouldHaveTheGuardRevertAtTheDeadlineWhenTheExecutorDoesNotAndIgnoreCtrlC() throws IOException {
        // Given: a fault journaled and guarded with a deadline 4 s away, which this process never reverts
        var attack = new NetworkLossAttack(config);
        UUID runId = UUID.randomUUID();
        ResolvedTarget victim = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        Injection injection = attack.plan(runId, new NetworkLoss(100), victim);
        var guards = new ProcessGuards(InstantSource.system(), dir.resolve("guards.log"));
        guards.arm(new JournalEntry(runId, "guard-test", Instant.now().plusSeconds(4), config.id(), injection));
        attack.apply(new NetworkLoss(100), injection);
        assertThat(tablesIn(pair.victimName())).contains("tumult_");
        // Ctrl-C or a hang-up aimed at the executor's terminal does not take the guard, which has its own session
        await().atMost(WAIT).until(() -> guardsOf(runId).size() == 1);
        ProcessHandle guard = guardsOf(runId).get(0);
        ProcessRunner.run("kill", "-INT", Long.toString(guard.pid()));
        ProcessRunner.run("kill", "-HUP", Long.toString(guard.pid()));
        assertThat(guard.isAlive()).isTrue();
        assertThat(sessionOf(guard.pid())).isNotEqualTo(sessionOf(ProcessHandle.current().pid()))
                .isEqualTo(guard.pid());
        assertThat(tablesIn(pair.victimName())).contains("tumult_");

        // When: the deadline passes
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> !tablesIn(pair.victimName()).contains("tumult_"));

        // Then
        assertThat(pair.lossPercent(10)).as("victim reachable again").isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> guardsOf(runId).isEmpty());
    }

    private RunEngine engineWith(Attack<NetworkLoss> attack, Guards guards) {
        var e = new RunEngine(new AttackRegistry(List.of(attack)), config, this::record, InstantSource.system(),
                journal, guards, List.of());
        e.recover().toCompletableFuture().join();
        return e;
    }

    private CompletionStage<Void> record(RunStatus status) {
        published.add(status);
        return CompletableFuture.completedFuture(null);
    }

    private RunStatus statusOf(UUID runId, RunPhase phase) {
        return published.stream().filter(s -> s.runId().equals(runId) && s.phase() == phase).findFirst().orElse(null);
    }

    private static RunStarted start(String namespace, Duration duration) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(namespace), new NetworkLoss(100), duration,
                null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "crash-test", Trigger.MANUAL, Instant.now(), spec);
    }

    private static RunAborted abort(RunStarted start) {
        return new RunAborted(start.runId().toString(), "test", Instant.now(),
                new AbortReason(AbortKind.MANUAL, "stop", null, null));
    }

    private static String tablesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "nft", "list", "tables").stdout();
    }

    /** The guard processes armed for {@code runId} (their argv[0] names the run once a spare took its orders). */
    static List<ProcessHandle> guardsOf(UUID runId) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("tumult-guard-" + runId)).orElse(false)).toList();
    }

    /** Guards whose undo names this test's victim: ours to clean up. */
    private List<ProcessHandle> guardsOnVictim() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("tumult-guard-") && c.contains(pair.victimName())).orElse(false)).toList();
    }

    /** The session id of a process, field 6 of /proc/<pid>/stat (after the parenthesised name). */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String awaitLine(Process process, String prefix) throws Exception {
        var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var output = new StringBuilder();
        var line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = reader.readLine()) != null;) {
                    output.append(l).append('\n');
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
            } catch (IOException e) {
                // falls through
            }
            throw new IllegalStateException("child exited without " + prefix + ":\n" + output);
        });
        return line.get(60, TimeUnit.SECONDS);
    }

    /** Network loss whose revert fails the first {@code failures} times. */
    private static final class FlakyLoss implements Attack<NetworkLoss> {
        private final NetworkLossAttack real;
        private final int failures;
        final AtomicInteger recoverCalls = new AtomicInteger();

        FlakyLoss(NetworkLossAttack real, int failures) {
            this.real = real;
            this.failures = failures;
        }

        @Override
        public Class<NetworkLoss> specType() {
            return NetworkLoss.class;
        }

        @Override
        public List<ResolvedTarget> resolve(Target target) {
            return real.resolve(target);
        }

        @Override
        public Injection plan(UUID runId, NetworkLoss spec, ResolvedTarget target) {
            return real.plan(runId, spec, target);
        }

        @Override
        public void apply(NetworkLoss spec, Injection injection) {
            real.apply(spec, injection);
        }

        @Override
        public void recover(Injection injection) {
            if (recoverCalls.incrementAndGet() <= failures) {
                throw new AttackException(AttackException.Reason.INTERNAL, "cannot delete "
                        + injection.handle().get("table") + " (test: failure " + recoverCalls.get() + ")");
            }
            real.recover(injection);
        }
    }
}
