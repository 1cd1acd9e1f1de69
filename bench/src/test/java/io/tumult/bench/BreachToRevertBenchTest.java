package io.tumult.bench;

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
import java.util.concurrent.locks.LockSupport;

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

import io.tumult.bench.guardian.BenchSamples;
import io.tumult.bench.guardian.GuardianProcess;
import io.tumult.bench.guardian.Stats;
import io.tumult.local.EventClient;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalStack;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
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
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * Breach sample → host fault removed, the whole safety path on the real stack, measured on the victim: a real broker,
 * the packaged guardian and the packaged executor in JVMs of their own (the executor's dead-man switch fed by the
 * guardian's own heartbeats), and a victim network namespace answering a UDP probe every millisecond. Each trial
 * starts a run that drops all of the victim's traffic and aborts when {@code last(bench_breach[5s]) > 0.5}, waits
 * until the victim stops answering, then sends one breaching sample; the time is from just before that send to the
 * send time of the first probe datagram the victim answered again. Also reports the part up to the abort being read
 * off the topic, and the guardian's own part. {@code -DbreachTrials} trials after {@value #WARM_UP} warm-up ones;
 * writes {@code bench/target/breach-to-revert.txt}.
 */
@NeedsHostAttacks
class BreachToRevertBenchTest {

    private static final int WARM_UP = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String METRIC = "bench_breach";

    @Test
    void shouldTakeTheFaultOutOfTheVictimForEveryBreach() throws Exception {
        int trials = Integer.getInteger("breachTrials", 10);
        var breachToRemoved = new ArrayList<Double>();
        var breachToAbortRead = new ArrayList<Double>();
        var guardianOwn = new ArrayList<Double>();
        var aborts = new ConcurrentHashMap<String, Double>();
        var ended = new ConcurrentHashMap<String, RunStatus>();
        var stop = new AtomicBoolean();
        Path work = Files.createDirectories(Path.of("target", "breach-to-revert"));
        try (var stack = LocalStack.start(false);
                var pair = NetnsPair.create();
                var events = new EventClient(stack.kafka().bootstrapServers());
                var echo = VictimProbe.echo(pair);
                var probe = VictimProbe.start(pair)) {
            String servers = stack.kafka().bootstrapServers();
            Thread reader = new Thread(() -> readAbortsAndEnds(servers, aborts, ended, stop), "abort-reader");
            reader.start();
            try (var guardian = GuardianProcess.start(servers, Map.of("tumult.guardian.id", "breach-bench",
                    "tumult.guardian.group", "bench-breach"), work.resolve("guardian.log"));
                    GuardedProcess executor = ExecutorProcess.start(servers, pair.victimName(), work, "breach", "");
                    KafkaProducer<String, byte[]> breaches = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer())) {
                // this producer's first send (connection, metadata) is a sample no rule watches, not the first breach
                breaches.send(BenchSamples.sample("bench_unwatched", UUID.randomUUID().toString(), 0, Instant.now()))
                        .get();
                for (int trial = 0; trial < WARM_UP + trials; trial++) {
                    try {
                        // Given a run whose fault is in place on the victim, watched by the guardian
                        probe.awaitAnswering();
                        RunStarted run = run(pair);
                        String key = run.runId().toString();
                        double startedAt = nowMillis();
                        events.publish(EventType.RUN_STARTED, key, run, "/bench");
                        probe.await("DOWN", startedAt);
                        guardian.awaitWatching(key, WAIT);

                        // When one breaching sample is sent
                        double sentAt = nowMillis();
                        breaches.send(BenchSamples.sample(METRIC, key, 1.0, Instant.now()));

                        // Then the victim answers again, and the run ends ABORTED
                        double removedAt = probe.await("UP", sentAt);
                        RunStatus end = awaitEnd(ended, key);
                        assertThat(end.phase()).as("how run %s ended: %s", key, end.message())
                                .isEqualTo(RunPhase.ABORTED);
                        if (trial >= WARM_UP) {
                            breachToRemoved.add(removedAt - sentAt);
                            breachToAbortRead.add(aborts.get(key) - sentAt);
                        }
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "\nguardian log:\n" + guardian.logTail(20)
                                + "\nexecutor log:\n" + executor.logTail(30), e);
                    }
                }
                guardianOwn.addAll(guardianLatencies(events, trials));
            } finally {
                stop.set(true);
                reader.join();
            }
        }

        // Then every trial took the fault out (awaited above); report the figures
        assertThat(breachToRemoved).hasSize(trials);
        String report = String.format(Locale.ROOT,
                "breach -> host fault removed, %d trials (+%d warm-up), guardian and executor JVMs on one broker:%n%s%s%s",
                trials, WARM_UP, Stats.line("breach sample sent -> fault removed on the victim", breachToRemoved, "ms"),
                Stats.line("breach sample sent -> abort read off the topic", breachToAbortRead, "ms"),
                Stats.line("guardian's own: sample received -> abort sent", guardianOwn, "ms"));
        System.out.print(report);
        Files.writeString(Path.of("target", "breach-to-revert.txt"), report);
    }

    /** A run dropping all of the victim's traffic for up to 2 minutes, aborted on the first breaching sample. */
    private static RunStarted run(NetnsPair pair) {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget(pair.victimName()), new NetworkLoss(100),
                Duration.ofMinutes(2), null, null, List.of(new Condition(METRIC, Comparison.GT, 0.5,
                        Duration.ofSeconds(5), Aggregation.LAST, null, null, NoData.IGNORE, null)),
                null);
        return new RunStarted(UUID.randomUUID(), "breach-bench", Trigger.MANUAL, Instant.now(), spec);
    }

    private static RunStatus awaitEnd(Map<String, RunStatus> ended, String runId) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RunStatus end;
        while ((end = ended.get(runId)) == null) {
            assertThat(System.nanoTime()).as("run %s ended", runId).isLessThan(deadline);
            LockSupport.parkNanos(1_000_000); // the reader thread fills the map
        }
        return end;
    }

    /** The guardian's own breach → publish latency of the last {@code trials} aborts it sent. */
    private static List<Double> guardianLatencies(EventClient events, int trials) {
        List<Double> all = events.events(EventType.RUN_ABORTED, events.readAll(Topics.RUN_ABORT)).stream()
                .filter(a -> a.reason().guardianLatencyMs() != null)
                .sorted(java.util.Comparator.comparing(RunAborted::issuedAt)).map(a -> a.reason().guardianLatencyMs())
                .toList();
        return all.subList(Math.max(0, all.size() - trials), all.size());
    }

    /** Stamps (epoch ms) each run's first abort on the topic, and keeps each run's terminal status. */
    private static void readAbortsAndEnds(String servers, Map<String, Double> aborts, Map<String, RunStatus> ended,
            AtomicBoolean stop) {
        // a fetch is answered as soon as a record arrives: a long wait adds no latency, and no busy polling
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.RUN_ABORT, Topics.RUN_STATUS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    double at = nowMillis();
                    if (r.topic().equals(Topics.RUN_ABORT)) {
                        aborts.putIfAbsent(r.key(), at);
                    } else {
                        RunStatus status = TumultJson.decode(EventType.RUN_STATUS, r.value());
                        if (status.phase().terminal()) {
                            ended.putIfAbsent(r.key(), status);
                        }
                    }
                }
            }
        }
    }

    private static double nowMillis() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1000.0 + now.getNano() / 1_000_000.0;
    }
}
