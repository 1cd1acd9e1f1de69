package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.LocalKafka;

/**
 * Samples evaluated per second by the packaged guardian through its real consumer, with the broker on the same two
 * cores: {@code -DguardianSamples} samples of 30 watched runs (each with an avg, a max, a p99 and a rate rule) are
 * produced in advance; then, {@code -DguardianRepeats} times, a fresh guardian JVM in a fresh consumer group drains
 * them from the start. Its rate is read from its own {@code tumult_guardian_samples_evaluated_total} on /q/metrics,
 * scraped every 50 ms, from the first scrape after it began to the first that counts them all. The late tolerance
 * is widened to 30 min because the samples are older than the default minute by the time later repeats read them.
 * Prints median and p99 over the repeats and writes {@code bench/target/guardian-throughput.txt}.
 */
class GuardianThroughputBenchTest {

    private static final int RUNS = 30;

    @Test
    void shouldEvaluateEverySampleProducedInAdvance() throws Exception {
        int samples = Integer.getInteger("guardianSamples", 300_000);
        int repeats = Integer.getInteger("guardianRepeats", 2);
        var rates = new ArrayList<Double>();
        Path work = Files.createDirectories(Path.of("target", "guardian-throughput"));
        try (LocalKafka kafka = LocalKafka.start(); var events = new EventClient(kafka.bootstrapServers())) {
            // Given: watched runs and their samples on the topic
            List<UUID> runs = BenchSamples.startHealthyRuns(events, RUNS, "throughput-bench");
            List<String> keys = runs.stream().map(UUID::toString).toList();
            try (KafkaProducer<String, byte[]> producer = BenchSamples.bulkProducer(kafka.bootstrapServers())) {
                for (int i = 0; i < samples; i++) {
                    int r = i % RUNS;
                    producer.send(BenchSamples.sample(runs.get(r), keys.get(r), i % 100, Instant.now()));
                }
                producer.flush();
            }

            for (int repeat = 0; repeat < repeats; repeat++) {
                // When a fresh guardian drains them
                Path log = work.resolve("guardian-" + repeat + ".log");
                try (var guardian = GuardianProcess.start(kafka.bootstrapServers(), Map.of(
                        "tumult.guardian.id", "bench-" + repeat,
                        "tumult.guardian.group", "bench-throughput-" + repeat,
                        "tumult.guardian.late-tolerance", "30m"), log)) {
                    double firstCount = -1;
                    long firstAt = 0;
                    long deadline = System.nanoTime() + 600_000_000_000L;
                    while (true) {
                        long at = System.nanoTime();
                        double count = guardian.evaluated();
                        if (firstCount < 0 && count > 0) {
                            firstCount = count;
                            firstAt = at;
                        }
                        if (count >= samples) {
                            // Then it evaluated every one of them
                            double rate = (count - firstCount) / ((at - firstAt) / 1e9);
                            rates.add(rate);
                            System.out.printf(Locale.ROOT, "repeat %d: %,.0f samples/s%n", repeat, rate);
                            break;
                        }
                        assertThat(System.nanoTime()).as("evaluated %s of %d; log:%n%s", count, samples,
                                guardian.logTail(20)).isLessThan(deadline);
                        Thread.sleep(50); // scraping its counter: the measurement's resolution
                    }
                }
            }
        }

        String report = String.format(Locale.ROOT,
                "guardian throughput: %,d samples of %d runs produced in advance, drained by a fresh guardian JVM %d"
                        + " times:%n%s",
                samples, RUNS, repeats, Stats.line("samples evaluated per second", rates, "samples/s"));
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "guardian-throughput.txt"), report);
        assertThat(rates).hasSize(repeats);
    }
}
