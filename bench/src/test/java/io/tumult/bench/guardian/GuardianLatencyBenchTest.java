package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.tumult.local.EventClient;
import io.tumult.local.LocalKafka;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * Breach sample → abort on the topic, with the packaged guardian on a real broker sharing the two cores, under
 * {@code -DguardianBackground} samples/s of background load (30 watched healthy runs, produced by this JVM in bursts
 * every 10 ms). Each trial starts a run watching {@code last(bench_breach[5s]) > 0.5}, waits until the guardian lists
 * it, then sends one breaching sample; the time is from just before that send to the moment a consumer, polling
 * the abort topic every millisecond, holds the run's abort. Five trials warm up and are not counted. Also reports
 * the guardian's own part ({@code guardianLatencyMs} in the abort). Writes {@code bench/target/guardian-latency.txt}.
 */
@EnabledIfSystemProperty(named = "guardianLatency", matches = "true", disabledReason = "-DguardianLatency=false")
class GuardianLatencyBenchTest {

    /** Background samples a second: 100,000 with {@code -Pbench}, 10,000 in verify (a check that it works). */
    private static final int BACKGROUND_PER_SECOND = Integer.getInteger("guardianBackground", 100_000);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldPublishTheAbortForEveryBreachUnderBackgroundLoad() throws Exception {
        int trials = Integer.getInteger("guardianBreaches", 20);
        int warmUp = 5;
        var endToEnd = new ArrayList<Double>();
        var own = new ArrayList<Double>();
        var received = new ConcurrentHashMap<String, Long>();
        var abortBodies = new ConcurrentHashMap<String, byte[]>();
        var stop = new AtomicBoolean();
        var backgroundSent = new AtomicLong();
        Path work = Files.createDirectories(Path.of("target", "guardian-latency"));
        try (LocalKafka kafka = LocalKafka.start(); var events = new EventClient(kafka.bootstrapServers())) {
            String servers = kafka.bootstrapServers();
            List<UUID> background = BenchSamples.startHealthyRuns(events, 30, "latency-bench-background");
            Thread aborts = new Thread(() -> readAborts(servers, received, abortBodies, stop), "abort-reader");
            Thread load = new Thread(() -> produceLoad(servers, background, backgroundSent, stop), "background-load");
            aborts.start();
            load.start();
            try (var guardian = GuardianProcess.start(servers, Map.of("tumult.guardian.id", "latency-bench",
                    "tumult.guardian.group", "bench-latency"), work.resolve("guardian.log"));
                    KafkaProducer<String, byte[]> breaches = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer())) {
                // this producer's own first send (connection, metadata) is a healthy sample, not the first breach
                breaches.send(BenchSamples.sample(background.get(0), background.get(0).toString(), 1, Instant.now()))
                        .get();
                double firstAbort = Double.NaN; // the guardian's first abort since it started: a warm-up trial
                double firstOwn = Double.NaN;
                long loadFrom = System.nanoTime();
                long sentFrom = backgroundSent.get();
                Duration guardianCpuFrom = guardian.cpu();
                Duration brokerCpuFrom = GuardianProcess.cpu(kafka.processes());
                Duration benchCpuFrom = GuardianProcess.cpu(List.of(ProcessHandle.current()));
                for (int trial = 0; trial < warmUp + trials; trial++) {
                    // Given a watched run
                    UUID run = UUID.randomUUID();
                    String key = run.toString();
                    var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("bench"), new NetworkLoss(1),
                            Duration.ofMinutes(10), null, null, List.of(new Condition("bench_breach", Comparison.GT,
                                    0.5, Duration.ofSeconds(5), Aggregation.LAST, null, null, NoData.IGNORE, null)),
                            null);
                    events.publish(EventType.RUN_STARTED, key, new RunStarted(run, "latency-bench", Trigger.MANUAL,
                            Instant.now(), spec), "/bench");
                    awaitWatched(guardian, key);

                    // When one breaching sample is sent
                    long sent = System.nanoTime();
                    breaches.send(BenchSamples.sample("bench_breach", key, 1.0, Instant.now()));

                    // Then its abort is on the topic (the reader stamps when it holds it: waking here adds nothing)
                    long deadline = sent + WAIT.toNanos();
                    Long at;
                    while ((at = received.get(key)) == null) {
                        assertThat(System.nanoTime()).as("abort of %s; guardian log:%n%s", key, guardian.logTail(20))
                                .isLessThan(deadline);
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000); // not a spin: the cores are shared
                    }
                    if (trial == 0) {
                        firstAbort = (at - sent) / 1e6;
                        firstOwn = TumultJson.decode(EventType.RUN_ABORTED, abortBodies.get(key)).reason()
                                .guardianLatencyMs();
                    }
                    if (trial >= warmUp) {
                        endToEnd.add((at - sent) / 1e6);
                        RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, abortBodies.get(key));
                        own.add(abort.reason().guardianLatencyMs());
                    }
                }
                double seconds = (System.nanoTime() - loadFrom) / 1e9;
                double achieved = (backgroundSent.get() - sentFrom) / seconds;
                String cpu = String.format(Locale.ROOT,
                        "  CPU over the trials, %% of one core: guardian %.0f, broker %.0f, this JVM (load, breaches,"
                                + " abort reader) %.0f%n",
                        share(guardian.cpu().minus(guardianCpuFrom), seconds),
                        share(GuardianProcess.cpu(kafka.processes()).minus(brokerCpuFrom), seconds),
                        share(GuardianProcess.cpu(List.of(ProcessHandle.current())).minus(benchCpuFrom), seconds));
                String report = String.format(Locale.ROOT,
                        "guardian breach latency, %d trials (+%d warm-up) under %,.0f background samples/s (target %,d):%n%s%s"
                                + "  first breach after the guardian started (the first warm-up trial): %.1f ms, the guardian's"
                                + " own part %.1f ms%n%s",
                        trials, warmUp, achieved, BACKGROUND_PER_SECOND,
                        Stats.line("breach sample sent -> abort read off the topic", endToEnd, "ms"),
                        Stats.line("guardian's own: sample received -> abort sent", own, "ms"), firstAbort, firstOwn,
                        cpu);
                System.out.print(report);
                Files.writeString(Path.of("target", "guardian-latency.txt"), report);
            } finally {
                stop.set(true);
                load.join();
                aborts.join();
            }
        }
        assertThat(endToEnd).hasSize(trials);
    }

    private static double share(Duration cpu, double seconds) {
        return 100 * cpu.toNanos() / 1e9 / seconds;
    }

    private static void awaitWatched(GuardianProcess guardian, String runId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!guardian.get("/runs").contains(runId)) {
            assertThat(System.nanoTime()).as("guardian watches %s", runId).isLessThan(deadline);
            Thread.sleep(5); // polling the guardian's view: there is no event to await
        }
    }

    private static void produceLoad(String servers, List<UUID> runs, AtomicLong sent, AtomicBoolean stop) {
        List<String> keys = runs.stream().map(UUID::toString).toList();
        int burst = BACKGROUND_PER_SECOND / 100;
        try (KafkaProducer<String, byte[]> producer = BenchSamples.bulkProducer(servers)) {
            long next = System.nanoTime();
            int i = 0;
            while (!stop.get()) {
                Instant now = Instant.now();
                for (int b = 0; b < burst; b++, i++) {
                    int r = i % keys.size();
                    producer.send(BenchSamples.sample(runs.get(r), keys.get(r), i % 100, now));
                }
                sent.addAndGet(burst);
                next += 10_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the load
                }
            }
        }
    }

    private static void readAborts(String servers, Map<String, Long> received, Map<String, byte[]> bodies,
            AtomicBoolean stop) {
        // a fetch is answered as soon as a record arrives: a long wait adds no latency, and no busy polling
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RUN_ABORT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long at = System.nanoTime();
                    bodies.put(r.key(), r.value());
                    received.putIfAbsent(r.key(), at);
                }
            }
        }
    }
}
