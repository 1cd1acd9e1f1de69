package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;

/**
 * kill -9 trials: an executor-like process ({@link InjectingExecutor}) injects and reverts network loss on a fresh
 * victim, is killed with SIGKILL at a random moment (injecting, active or reverting), and the victim is checked:
 * no loss table, 0 % loss, 1 s after the kill. Records the time from the kill until no table was left (polling the
 * victim) and prints median and p99. {@code -Dtrials=N} rounds (5 in verify, 100 with {@code -Pbench}).
 */
@NeedsHostAttacks
class KillNineTrialTest {

    private static final long HOLD_MILLIS = 150;

    @Test
    void shouldLeaveNoFaultOnTheVictimOneSecondAfterAKillNineAtAnyMoment() throws Exception {
        int trials = Integer.getInteger("trials", 5);
        var revertMillis = new ArrayList<Double>();
        Map<String, Integer> phases = new TreeMap<>();
        for (int round = 1; round <= trials; round++) {
            Trial trial = trial();
            revertMillis.add(trial.revertedMillis);
            phases.merge(trial.phase, 1, Integer::sum);
            // Then, for every round: nothing in place 1 s after the kill, measured on the victim
            assertThat(trial.tablesAfterOneSecond).as("round %d (killed while %s): tables left", round, trial.phase)
                    .doesNotContain("tumult_");
            assertThat(trial.lossAfterOneSecond).as("round %d (killed while %s): loss", round, trial.phase).isZero();
        }
        revertMillis.sort(Comparator.naturalOrder());
        String summary = String.format(Locale.ROOT,
                "kill -9 trials: %d; kill to reverted (ms): median %.1f, p99 %.1f, max %.1f; killed while: %s%n",
                trials, percentile(revertMillis, 50), percentile(revertMillis, 99),
                revertMillis.get(revertMillis.size() - 1), phases);
        System.out.print(summary);
        Path out = Path.of("target", "kill-nine-trials.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, summary + "samples (ms): " + revertMillis + "\n");
    }

    private record Trial(String phase, double revertedMillis, String tablesAfterOneSecond, double lossAfterOneSecond) {
    }

    private static Trial trial() throws Exception {
        Path dir = Files.createTempDirectory("tumult-bench-journal-");
        Process child = null;
        try (NetnsPair pair = NetnsPair.create()) {
            // Given: the executor-like process is up and cycling faults on a fresh victim
            child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    InjectingExecutor.class.getName(), dir.toString(), pair.victimName(), Long.toString(HOLD_MILLIS))
                    .redirectErrorStream(true).start();
            var lastPhase = new AtomicReference<>("starting");
            var firstActive = new CountDownLatch(1);
            Process reading = child;
            Thread reader = new Thread(() -> follow(reading, lastPhase, firstActive), "bench-reader");
            reader.setDaemon(true);
            reader.start();
            if (!firstActive.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the injecting process did not get going: " + lastPhase.get());
            }

            // When: SIGKILL at a random moment of its inject/hold/revert cycle
            Thread.sleep(ThreadLocalRandom.current().nextLong(0, 2 * HOLD_MILLIS));
            String phase = lastPhase.get();
            long killedAt = System.nanoTime();
            child.destroyForcibly();
            double reverted = Double.NaN;
            while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(1)) {
                if (!tablesIn(pair.victimName()).contains("tumult_")) {
                    reverted = (System.nanoTime() - killedAt) / 1e6;
                    break;
                }
            }
            long left = TimeUnit.SECONDS.toNanos(1) - (System.nanoTime() - killedAt);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }

            // Then (checked by the caller): the victim 1 s after the kill
            String tables = tablesIn(pair.victimName());
            double loss = pair.lossPercent(10);
            child.waitFor(10, TimeUnit.SECONDS);
            return new Trial(phase.split(" ")[0], Double.isNaN(reverted) ? 1000.0 : reverted, tables, loss);
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void follow(Process child, AtomicReference<String> lastPhase, CountDownLatch firstActive) {
        try (var in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                if (line.startsWith("INJECTING ") || line.startsWith("ACTIVE ") || line.startsWith("REVERTING ")
                        || line.startsWith("REVERTED ")) {
                    lastPhase.set(line);
                    if (line.startsWith("ACTIVE ")) {
                        firstActive.countDown();
                    }
                }
            }
        } catch (IOException e) {
            // the child was killed
        }
    }

    /** Nearest-rank percentile of sorted samples. */
    static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String tablesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "nft", "list", "tables").stdout();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
