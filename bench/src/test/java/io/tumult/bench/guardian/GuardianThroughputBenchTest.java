package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * <p>
 * {@code -DguardianApps=dirA,dirB} compares builds under the same load: the repeats take the packaged guardians in
 * those {@code quarkus-app} folders in turn (A, B, A, B, ...), and each gets its own line. An entry may add JVM
 * options after {@code @}, each separated by {@code @}: {@code dirA@-Dtumult.guardian.max-poll-records=500}.
 */
class GuardianThroughputBenchTest {

    private static final int RUNS = 30;

    @Test
    void shouldEvaluateEverySampleProducedInAdvance() throws Exception {
        int samples = Integer.getInteger("guardianSamples", 300_000);
        int repeats = Integer.getInteger("guardianRepeats", 2);
        List<String> apps = Arrays.stream(System.getProperty("guardianApps", "").split(",")).map(String::strip)
                .filter(a -> !a.isEmpty()).toList();
        if (apps.isEmpty()) {
            apps = List.of(GuardianProcess.PACKAGED.toString());
        }
        var rates = new ArrayList<Double>();
        var ratesByApp = new LinkedHashMap<String, List<Double>>();
        var cpuByApp = new LinkedHashMap<String, List<Double>>();
        var cpuPerSample = new ArrayList<Double>();
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
                String app = apps.get(repeat % apps.size());
                List<String> appAndOptions = List.of(app.split("@"));
                try (var guardian = GuardianProcess.start(Path.of(appAndOptions.get(0)),
                        appAndOptions.subList(1, appAndOptions.size()), kafka.bootstrapServers(), Map.of(
                                "tumult.guardian.id", "bench-" + repeat,
                                "tumult.guardian.group", "bench-throughput-" + repeat,
                                "tumult.guardian.late-tolerance", "30m"),
                        log)) {
                    double firstCount = -1;
                    long firstAt = 0;
                    Duration firstCpu = Duration.ZERO;
                    Duration firstBrokerCpu = Duration.ZERO;
                    long deadline = System.nanoTime() + 600_000_000_000L;
                    while (true) {
                        long at = System.nanoTime();
                        double count = guardian.evaluated();
                        if (firstCount < 0 && count > 0) {
                            firstCount = count;
                            firstAt = at;
                            firstCpu = guardian.cpu();
                            firstBrokerCpu = GuardianProcess.cpu(kafka.processes());
                        }
                        if (count >= samples) {
                            // Then it evaluated every one of them
                            double rate = (count - firstCount) / ((at - firstAt) / 1e9);
                            // CPU per sample: less sensitive than the rate to what else runs on the cores
                            double guardianCpu = guardian.cpu().minus(firstCpu).toNanos() / (count - firstCount);
                            double brokerCpu = GuardianProcess.cpu(kafka.processes()).minus(firstBrokerCpu).toNanos()
                                    / (count - firstCount);
                            rates.add(rate);
                            cpuPerSample.add(guardianCpu);
                            ratesByApp.computeIfAbsent(app, a -> new ArrayList<>()).add(rate);
                            cpuByApp.computeIfAbsent(app, a -> new ArrayList<>()).add(guardianCpu);
                            System.out.printf(Locale.ROOT,
                                    "repeat %d (%s): %,.0f samples/s; CPU per sample: guardian %.0f ns, broker %.0f ns%n",
                                    repeat, app, rate, guardianCpu, brokerCpu);
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
                samples, RUNS, repeats, Stats.line("samples evaluated per second", rates, "samples/s"))
                + Stats.line("guardian CPU per sample (ns, all its threads)", cpuPerSample, "ns");
        if (apps.size() > 1) {
            for (var e : ratesByApp.entrySet()) {
                report += Stats.line(e.getKey(), e.getValue(), "samples/s")
                        + Stats.line(e.getKey() + " CPU", cpuByApp.get(e.getKey()), "ns");
            }
        }
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "guardian-throughput.txt"), report);
        assertThat(rates).hasSize(repeats);
    }
}
