package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalFiles;
import io.tumult.local.LocalStack;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.GuardianHeartbeat;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/**
 * The executor's latencies on the real stack, measured on the victim: a real broker, the packaged executor in its
 * own JVM, a victim network namespace answering a UDP probe that sends from its peer every millisecond. Each round
 * starts an executor JVM and runs one warm-up cycle, then {@code -DlatencyCycles} measured cycles of:
 * <ul>
 * <li>run-start published → fault active: from just before the send to the send time of the first probe datagram
 * the victim never answered;</li>
 * <li>abort published → fault removed: from just before the send to the send time of the first datagram answered
 * again;</li>
 * </ul>
 * and ends with {@code kill -9} of the executor while a fault is active → fault removed (its guard's revert).
 * Prints medians and p99s and writes {@code bench/target/fault-latency.txt}. {@code -DlatencyRounds=N} executor JVMs
 * (2 in verify, 10 with {@code -Pbench}) after round 0, which warms the broker up and is not counted. The executors'
 * logs are kept in {@code bench/target/fault-latency-logs/}; {@code -DexecutorJvmArgs} adds JVM options to them (with
 * {@code RunEngine} at DEBUG, each run's start path is split into claim, resolve, journal, guard and apply).
 * {@code -DlatencyBaseline="<JVM options>"} (e.g. {@code -Dtumult.nftables=exec}) makes every other round a baseline
 * executor started with those options; both are reported, with the ratios of their medians and p99s.
 */
@NeedsHostAttacks
class FaultLatencyBenchTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Measured start/abort cycles per executor JVM, after one that warms it up. */
    private static final int CYCLES = Integer.getInteger("latencyCycles", 3);
    /** Every cycle, warm-ups included, for {@code target/fault-latency-samples.csv}: to find a slow one in the logs. */
    private static final StringBuilder SAMPLES = new StringBuilder(
            "round,runId,startSentEpochMs,abortSentEpochMs,startToActiveMs,abortToRemovedMs\n");

    @Test
    void shouldPutTheFaultInPlaceAndTakeItOutOnTheVictimForEveryRound() throws Exception {
        int rounds = Integer.getInteger("latencyRounds", 2);
        String baseline = System.getProperty("latencyBaseline", "").strip();
        var startToActive = new ArrayList<Double>();
        var abortToRemoved = new ArrayList<Double>();
        var killToRemoved = new ArrayList<Double>();
        var baseStartToActive = new ArrayList<Double>();
        var baseAbortToRemoved = new ArrayList<Double>();
        var baseKillToRemoved = new ArrayList<Double>();
        Path work = Files.createTempDirectory("tumult-latency-");
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        try (var stack = LocalStack.start(false);
                var pair = NetnsPair.create();
                var events = new EventClient(stack.kafka().bootstrapServers());
                var echo = VictimProbe.echo(pair);
                var probe = VictimProbe.start(pair)) {
            // the executor's dead-man switch wants a live guardian: the bench stands in for it
            heartbeat.scheduleAtFixedRate(() -> events.publishAsync(EventType.GUARDIAN_HEARTBEAT, "bench",
                    new GuardianHeartbeat("bench", Instant.now(), Duration.ofMillis(300), 0), "/bench"), 0, 300,
                    TimeUnit.MILLISECONDS);
            for (int round = 0; round <= (baseline.isEmpty() ? rounds : 2 * rounds); round++) {
                boolean isBaseline = !baseline.isEmpty() && round % 2 == 0 && round > 0;
                var toActive = isBaseline ? baseStartToActive : startToActive;
                var toRemoved = isBaseline ? baseAbortToRemoved : abortToRemoved;
                try (GuardedProcess executor = ExecutorProcess.start(stack.kafka().bootstrapServers(),
                        pair.victimName(), work, Integer.toString(round), isBaseline ? baseline : "")) {
                    try {
                        // Given a running executor and an answering victim; its first cycle warms it up
                        cycle(events, pair, probe, round);
                        for (int c = 0; c < CYCLES; c++) {
                            double[] measured = cycle(events, pair, probe, round);
                            if (round > 0) { // round 0 also warms the broker and the probe up
                                toActive.add(measured[0]);
                                toRemoved.add(measured[1]);
                            }
                        }
                        double killed = killWithAFaultInPlace(executor, events, pair, probe, round);
                        if (round > 0) {
                            (isBaseline ? baseKillToRemoved : killToRemoved).add(killed);
                        }
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "\nexecutor log:\n" + executor.logTail(40), e);
                    }
                }
            }
        } finally {
            heartbeat.shutdownNow();
            keepExecutorLogs(work);
            LocalFiles.deleteTree(work);
        }

        // Then every round saw each fault on the victim and saw it go (awaited above); report the figures
        assertThat(startToActive).hasSize(rounds * CYCLES);
        assertThat(killToRemoved).hasSize(rounds);
        String report = String.format(Locale.ROOT,
                "fault latency, %d executor JVMs x %d start/abort cycles (+1 warm-up each), measured on the victim"
                        + " (ms):%n%s%s%s",
                rounds, CYCLES, line("run-start published -> fault active", startToActive),
                line("abort published -> fault removed", abortToRemoved),
                line("executor kill -9 -> fault removed", killToRemoved));
        if (!baseline.isEmpty()) {
            assertThat(baseStartToActive).hasSize(rounds * CYCLES);
            report += String.format(Locale.ROOT, "baseline executors (%s), interleaved with the above (ms):%n%s%s%s"
                    + "ratios (above / baseline):%n%s%s%s", baseline,
                    line("run-start published -> fault active", baseStartToActive),
                    line("abort published -> fault removed", baseAbortToRemoved),
                    line("executor kill -9 -> fault removed", baseKillToRemoved),
                    ratio("run-start published -> fault active", startToActive, baseStartToActive),
                    ratio("abort published -> fault removed", abortToRemoved, baseAbortToRemoved),
                    ratio("executor kill -9 -> fault removed", killToRemoved, baseKillToRemoved));
        }
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fault-latency.txt"), report);
        Files.writeString(Path.of("target", "fault-latency-samples.csv"), SAMPLES);
    }

    /** One run started then aborted; returns {start to fault active, abort to fault removed} in ms. */
    private static double[] cycle(EventClient events, NetnsPair pair, VictimProbe probe, int round)
            throws InterruptedException {
        probe.awaitAnswering();

        // When a run starts: the fault is seen on the victim
        RunStarted start = start(pair, round);
        double sentAt = nowMillis();
        events.publish(EventType.RUN_STARTED, start.runId().toString(), start, "/bench");
        double active = probe.await("DOWN", sentAt);

        // When it is aborted: the fault is seen gone
        double abortAt = nowMillis();
        events.publish(EventType.RUN_ABORTED, start.runId().toString(), new RunAborted(start.runId().toString(),
                "bench", Instant.now(), new AbortReason(AbortKind.MANUAL, "bench", null, null)), "/bench");
        double removed = probe.await("UP", abortAt);
        SAMPLES.append(String.format(Locale.ROOT, "%d,%s,%.3f,%.3f,%.1f,%.1f%n", round, start.runId(), sentAt,
                abortAt, active - sentAt, removed - abortAt));
        return new double[] { active - sentAt, removed - abortAt };
    }

    /** Kills the executor with a fault in place; returns the ms from the kill until its guard took the fault out. */
    private static double killWithAFaultInPlace(GuardedProcess executor, EventClient events, NetnsPair pair,
            VictimProbe probe, int round) throws InterruptedException {
        probe.awaitAnswering();
        RunStarted start = start(pair, round);
        double sentAt = nowMillis();
        events.publish(EventType.RUN_STARTED, start.runId().toString(), start, "/bench");
        probe.await("DOWN", sentAt);
        double killedAt = nowMillis();
        ExecutorProcess.javaOf(executor).destroyForcibly(); // SIGKILL
        return probe.await("UP", killedAt) - killedAt;
    }

    private static RunStarted start(NetnsPair pair, int round) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(pair.victimName()), new NetworkLoss(100),
                Duration.ofMinutes(2), null, null, null, null);
        return new RunStarted(UUID.randomUUID(), "latency-bench-" + round, Trigger.MANUAL, Instant.now(), spec);
    }

    private static String line(String what, List<Double> millis) {
        var sorted = new ArrayList<>(millis);
        sorted.sort(Comparator.naturalOrder());
        return String.format(Locale.ROOT, "  %-40s median %7.1f  p99 %7.1f  max %7.1f%n", what,
                percentile(sorted, 50), percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    private static String ratio(String what, List<Double> measured, List<Double> baseline) {
        var m = new ArrayList<>(measured);
        var b = new ArrayList<>(baseline);
        m.sort(Comparator.naturalOrder());
        b.sort(Comparator.naturalOrder());
        return String.format(Locale.ROOT, "  %-40s median %7.2f  p99 %7.2f%n", what,
                percentile(m, 50) / percentile(b, 50), percentile(m, 99) / percentile(b, 99));
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static double nowMillis() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1000.0 + now.getNano() / 1_000_000.0;
    }

    /** The executor JVMs' logs, to {@code target/fault-latency-logs/}: the work directory goes. */
    private static void keepExecutorLogs(Path work) throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "fault-latency-logs"));
        try (var logs = Files.list(work)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
