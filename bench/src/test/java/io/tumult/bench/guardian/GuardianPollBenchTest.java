package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tumult.local.LocalKafka;

/**
 * What {@code tumult.guardian.poll-timeout} costs and buys on an idle guardian (no records arriving), the packaged
 * guardian on a real broker: how long a task from another thread waits for the evaluating loop, seen as the time to
 * answer {@code GET /runs} (the PromQL poller's two tasks per poll wait the same way), and the guardian's idle CPU.
 * Alternates guardians started with each timeout in {@code -DguardianPollTimeouts} (default {@code 100ms,20ms}),
 * {@code -DguardianPollRepeats} times each. Writes {@code bench/target/guardian-poll.txt}.
 */
class GuardianPollBenchTest {

    private static final int REPEATS = Integer.getInteger("guardianPollRepeats", 1);
    /** Timed GETs per guardian, after 50 that warm it up; 7 ms apart, so that each one waits for a fresh poll. */
    private static final int GETS = Integer.getInteger("guardianPollGets", 50);
    private static final Duration IDLE = Duration.ofSeconds(Long.getLong("guardianPollIdleSeconds", 5));

    @Test
    void shouldAnswerEveryTaskForEachPollTimeout() throws Exception {
        List<String> timeouts = List.of(System.getProperty("guardianPollTimeouts", "100ms,20ms").split(","));
        var waits = new LinkedHashMap<String, List<Double>>();
        var idleCpu = new LinkedHashMap<String, List<Double>>();
        Path work = Files.createDirectories(Path.of("target", "guardian-poll"));
        try (LocalKafka kafka = LocalKafka.start()) {
            for (int repeat = 0; repeat < REPEATS; repeat++) {
                for (String timeout : timeouts) {
                    try (var guardian = GuardianProcess.start(kafka.bootstrapServers(), Map.of("tumult.guardian.id",
                            "poll-bench", "tumult.guardian.group", "bench-poll-" + repeat + "-" + timeout,
                            "tumult.guardian.poll-timeout", timeout), work.resolve("guardian-" + timeout + ".log"))) {
                        for (int i = 0; i < 50; i++) {
                            assertThat(guardian.get("/runs")).startsWith("[");
                        }
                        var waited = waits.computeIfAbsent(timeout, t -> new ArrayList<>());
                        for (int i = 0; i < GETS; i++) {
                            long sent = System.nanoTime();
                            assertThat(guardian.get("/runs")).startsWith("[");
                            waited.add((System.nanoTime() - sent) / 1e6);
                            Thread.sleep(7); // pacing the requests
                        }
                        Duration before = guardian.cpu();
                        long from = System.nanoTime();
                        Thread.sleep(IDLE.toMillis()); // measuring CPU over an idle span: nothing to await
                        double percent = 100.0 * guardian.cpu().minus(before).toNanos() / (System.nanoTime() - from);
                        idleCpu.computeIfAbsent(timeout, t -> new ArrayList<>()).add(percent);
                    }
                }
            }
        }
        var report = new StringBuilder(String.format(Locale.ROOT,
                "guardian poll timeout, idle guardian, %d guardian(s) per timeout, %d GETs each, idle CPU over %d s:%n",
                REPEATS, GETS, IDLE.toSeconds()));
        for (String timeout : timeouts) {
            report.append(Stats.line("poll-timeout " + timeout + ": GET /runs", waits.get(timeout), "ms"));
            report.append(Stats.line("poll-timeout " + timeout + ": idle CPU", idleCpu.get(timeout), "% of a core"));
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "guardian-poll.txt"), report);
        for (String timeout : timeouts) {
            assertThat(waits.get(timeout)).hasSize(REPEATS * GETS);
        }
    }
}
