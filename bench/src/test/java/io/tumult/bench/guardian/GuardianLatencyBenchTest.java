package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.tumult.local.EventClient;
import io.tumult.local.GuardedProcess;
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
 * {@code -DguardianBackground} samples/s of background load (30 watched healthy runs, in bursts every 10 ms;
 * {@link BackgroundLoad}). The load runs in a JVM of its own at the lowest CPU priority ({@code nice -n 19}), the way
 * producers on other machines would not take the guardian's and the broker's cores;
 * {@code -DguardianLoadInBenchJvm=true} runs it on a thread of this JVM instead, at normal priority. Each trial starts
 * a run watching {@code last(bench_breach[5s]) > 0.5}, waits until the guardian lists it, then sends one breaching
 * sample; the time is from just before that send to the abort published (the broker's append time, stamped on the
 * record: {@code LogAppendTime} on the abort topic), and to the moment a consumer of the abort topic holds it. Trials
 * are 100 to 200 ms apart (random): breaches are rare, and the bench's own work (a run-start, polling the guardian, the
 * breach) is then a small load beside the background. Five trials warm up and are not counted, and none counts before
 * {@code -DguardianWarmUpSeconds} of load (the JVMs' compilers settle). Also reports the guardian's own part
 * ({@code guardianLatencyMs} in the abort) and each JVM's CPU over the counted trials. Writes
 * {@code bench/target/guardian-latency.txt}.
 */
@EnabledIfSystemProperty(named = "guardianLatency", matches = "true", disabledReason = "-DguardianLatency=false")
class GuardianLatencyBenchTest {

    /** Background samples a second: 100,000 with {@code -Pbench}, 10,000 in verify (a check that it works). */
    private static final int BACKGROUND_PER_SECOND = Integer.getInteger("guardianBackground", 100_000);
    /** {@code -DguardianLatencyRelay=true}: the {@link NullRelay} in place of the guardian, the baseline. */
    private static final boolean RELAY = Boolean.getBoolean("guardianLatencyRelay");
    private static final String SUBJECT = RELAY ? "null relay" : "guardian";
    private static final boolean LOAD_IN_BENCH_JVM = Boolean.getBoolean("guardianLoadInBenchJvm");
    private static final Duration WARM_UP_LOAD = Duration.ofSeconds(Integer.getInteger("guardianWarmUpSeconds", 0));
    private static final int WARM_UP_TRIALS = 5;
    /** Trials are paced at a random gap of 1 to 2 times this, so that the bench's own work stays a small load. */
    private static final int GAP_MS = 100;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldPublishTheAbortForEveryBreachUnderBackgroundLoad() throws Exception {
        int trials = Integer.getInteger("guardianBreaches", 20);
        var endToEnd = new ArrayList<Double>();
        var own = new ArrayList<Double>();
        var published = new ArrayList<Double>();
        var toHandOff = new ArrayList<Double>();
        var handOffToPublished = new ArrayList<Double>();
        var lastHop = new ArrayList<Double>();
        var heldAborts = new ConcurrentHashMap<String, HeldAbort>();
        var stop = new AtomicBoolean();
        var sentByThread = new AtomicLong();
        var random = new java.util.Random();
        Path work = Files.createDirectories(Path.of("target", "guardian-latency"));
        try (LocalKafka kafka = LocalKafka.start(); var events = new EventClient(kafka.bootstrapServers())) {
            String servers = kafka.bootstrapServers();
            LocalKafka.stampAppendTime(servers, Topics.RUN_ABORT); // each abort says when it was published
            List<UUID> background = BenchSamples.startHealthyRuns(events, 30, "latency-bench-background");
            Thread aborts = new Thread(() -> readAborts(servers, heldAborts, stop), "abort-reader");
            aborts.start();
            Thread loadThread = null;
            GuardedProcess loadJvm = null;
            LongSupplier sentSoFar;
            if (LOAD_IN_BENCH_JVM) {
                loadThread = new Thread(() -> BackgroundLoad.produce(servers, background, BACKGROUND_PER_SECOND,
                        sentByThread, stop), "background-load");
                loadThread.start();
                sentSoFar = sentByThread::get;
            } else {
                GuardedProcess started = BackgroundLoad.startNiced(servers, background, BACKGROUND_PER_SECOND,
                        work.resolve("load.log"));
                loadJvm = started;
                sentSoFar = () -> BackgroundLoad.sentSoFar(started);
            }
            try (Judge guardian = RELAY ? NullRelay.start(servers, work.resolve("relay.log"))
                    : GuardianProcess.start(servers, Map.of("tumult.guardian.id", "latency-bench",
                            "tumult.guardian.group", "bench-latency"), work.resolve("guardian.log"));
                    KafkaProducer<String, byte[]> breaches = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 0,
                            ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer())) {
                // this producer's own first send (connection, metadata) is a healthy sample, not the first breach
                breaches.send(BenchSamples.sample(background.get(0), background.get(0).toString(), 1, Instant.now()))
                        .get();
                awaitLoad(sentSoFar, loadJvm);
                long countFrom = System.nanoTime() + WARM_UP_LOAD.toNanos();
                double firstAbort = Double.NaN; // the guardian's first abort since it started: a warm-up trial
                double firstOwn = Double.NaN;
                long loadFrom = 0;
                long sentFrom = 0;
                double evaluatedFrom = 0;
                Duration[] cpuFrom = null;
                for (int trial = 0; endToEnd.size() < trials; trial++) {
                    boolean counted = trial >= WARM_UP_TRIALS && System.nanoTime() >= countFrom;
                    if (counted && cpuFrom == null) {
                        loadFrom = System.nanoTime();
                        sentFrom = sentSoFar.getAsLong();
                        evaluatedFrom = guardian.evaluated();
                        cpuFrom = cpu(guardian, kafka, loadJvm);
                    }
                    // Given a watched run
                    UUID run = UUID.randomUUID();
                    String key = run.toString();
                    var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("bench"), new NetworkLoss(1),
                            Duration.ofMinutes(10), null, null, List.of(new Condition("bench_breach", Comparison.GT,
                                    0.5, Duration.ofSeconds(5), Aggregation.LAST, null, null, NoData.IGNORE, null)),
                            null);
                    events.publish(EventType.RUN_STARTED, key, new RunStarted(run, "latency-bench", Trigger.MANUAL,
                            Instant.now(), spec), "/bench");
                    guardian.awaitWatching(key, WAIT);

                    // When one breaching sample is sent
                    Instant sentAt = Instant.now(); // microseconds here, on the clock the broker stamps appends with
                    long sent = System.nanoTime();
                    breaches.send(BenchSamples.sample("bench_breach", key, 1.0, Instant.now()));

                    // Then its abort is on the topic (the reader stamps when it holds it: waking here adds nothing)
                    long deadline = sent + WAIT.toNanos();
                    HeldAbort held;
                    while ((held = heldAborts.get(key)) == null) {
                        assertThat(System.nanoTime()).as("abort of %s; guardian log:%n%s", key, guardian.logTail(20))
                                .isLessThan(deadline);
                        LockSupport.parkNanos(200_000); // not a spin: the cores are shared
                    }
                    if (trial == 0) {
                        firstAbort = (held.heldNanos() - sent) / 1e6;
                        firstOwn = RELAY ? Double.NaN
                                : TumultJson.decode(EventType.RUN_ABORTED, held.body()).reason().guardianLatencyMs();
                    }
                    if (counted) {
                        endToEnd.add((held.heldNanos() - sent) / 1e6);
                        assertThat(held.appendedMillis()).as("abort stamped with the broker's append time").isNotNull();
                        assertThat(held.handedOff()).as("abort's ce_time header").isNotNull();
                        // the append's whole millisecond, rounded up: never shorter than it was
                        double appended = held.appendedMillis() + 1;
                        double handedOff = millis(held.handedOff());
                        published.add(appended - millis(sentAt));
                        toHandOff.add(handedOff - millis(sentAt));
                        handOffToPublished.add(appended - handedOff);
                        lastHop.add((double) held.lastHopMillis());
                        if (!RELAY) {
                            RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, held.body());
                            own.add(abort.reason().guardianLatencyMs());
                        }
                    }
                    Thread.sleep(GAP_MS + random.nextInt(GAP_MS)); // pacing the trials: breaches are rare events
                }
                double seconds = (System.nanoTime() - loadFrom) / 1e9;
                double achieved = (sentSoFar.getAsLong() - sentFrom) / seconds;
                double evaluated = (guardian.evaluated() - evaluatedFrom) / seconds;
                Duration[] cpuTo = cpu(guardian, kafka, loadJvm);
                String cpu = String.format(Locale.ROOT,
                        "  CPU over the counted trials, %% of one core: %s %.0f, broker %.0f, this JVM (breaches,"
                                + " abort reader%s) %.0f%s%n",
                        SUBJECT, share(cpuTo[0].minus(cpuFrom[0]), seconds), share(cpuTo[1].minus(cpuFrom[1]), seconds),
                        LOAD_IN_BENCH_JVM ? ", background load" : "", share(cpuTo[2].minus(cpuFrom[2]), seconds),
                        LOAD_IN_BENCH_JVM ? ""
                                : String.format(Locale.ROOT, ", background load JVM (nice 19) %.0f",
                                        share(cpuTo[3].minus(cpuFrom[3]), seconds)));
                String report = String.format(Locale.ROOT,
                        "%s breach latency, %d trials (+%d warm-up, %s s of load first) under %,.0f background"
                                + " samples/s sent (target %,d, %s), %,.0f/s taken in by the %s:%n%s%s%s%s%s%s"
                                + "  first breach after the %s started (the first warm-up trial): %.1f ms, the guardian's"
                                + " own part %.1f ms%n%s",
                        SUBJECT, trials, WARM_UP_TRIALS, WARM_UP_LOAD.toSeconds(), achieved, BACKGROUND_PER_SECOND,
                        LOAD_IN_BENCH_JVM ? "a thread of the bench's JVM" : "its own JVM at nice 19", evaluated, SUBJECT,
                        Stats.line("breach sample sent -> abort published", published, "ms"),
                        Stats.line("  of which: sent -> abort handed to the producer", toHandOff, "ms"),
                        Stats.line("  and: handed to the producer -> published", handOffToPublished, "ms"),
                        Stats.line("breach sample sent -> abort read off the topic", endToEnd, "ms"),
                        RELAY ? "  (the null relay in place of the guardian: two Kafka hops, no judging)\n"
                                : Stats.line("guardian's own: sample received -> abort sent", own, "ms"),
                        Stats.line("abort published -> read off the topic", lastHop, "ms"),
                        SUBJECT, firstAbort, firstOwn, cpu);
                System.out.print(report);
                Files.writeString(Path.of("target", "guardian-latency.txt"), report);
                appendTrials(published, toHandOff, handOffToPublished, endToEnd, own);
            } finally {
                stop.set(true);
                if (loadThread != null) {
                    loadThread.join();
                }
                if (loadJvm != null) {
                    loadJvm.close();
                }
                aborts.join();
            }
        }
        assertThat(endToEnd).hasSize(trials);
        assertThat(published).hasSize(trials).allSatisfy(ms -> assertThat(ms).isPositive());
    }

    /** CPU used so far by the guardian, the broker, this JVM and the background load's JVM (zero without one). */
    private static Duration[] cpu(Judge guardian, LocalKafka kafka, GuardedProcess loadJvm) {
        return new Duration[] { guardian.cpu(), GuardianProcess.cpu(kafka.processes()),
                GuardianProcess.cpu(List.of(ProcessHandle.current())),
                loadJvm == null ? Duration.ZERO : GuardianProcess.cpu(loadJvm.processes()) };
    }

    /** Waits until the load has sent half a second's worth (a JVM of its own takes a moment to start). */
    private static void awaitLoad(LongSupplier sentSoFar, GuardedProcess loadJvm) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sentSoFar.getAsLong() < BACKGROUND_PER_SECOND / 2) {
            assertThat(System.nanoTime()).as("background load started; its log:%n%s",
                    loadJvm == null ? "" : loadJvm.logTail(20)).isLessThan(deadline);
            assertThat(loadJvm == null || loadJvm.isAlive()).as("background load JVM running; its log:%n%s",
                    loadJvm == null ? "" : loadJvm.logTail(20)).isTrue();
            Thread.sleep(50); // polling its report: there is no event to await
        }
    }

    /**
     * Appends the counted trials to {@code bench/target/guardian-latency-trials.csv} (kept across runs, one line per
     * trial, headed the first time), so that percentiles can be taken over several runs' trials together.
     */
    private static void appendTrials(List<Double> published, List<Double> toHandOff, List<Double> handOffToPublished,
            List<Double> endToEnd, List<Double> own) throws java.io.IOException {
        Path csv = Path.of("target", "guardian-latency-trials.csv");
        var lines = new StringBuilder(Files.exists(csv) ? ""
                : "subject,run_ended,published_ms,to_hand_off_ms,hand_off_to_published_ms,read_off_ms,guardian_own_ms\n");
        String ended = Instant.now().toString();
        for (int i = 0; i < published.size(); i++) {
            lines.append(String.format(Locale.ROOT, "%s,%s,%.3f,%.3f,%.3f,%.3f,%s%n", RELAY ? "relay" : "guardian",
                    ended, published.get(i), toHandOff.get(i), handOffToPublished.get(i), endToEnd.get(i),
                    own.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f", own.get(i))));
        }
        Files.writeString(csv, lines, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** Milliseconds since the epoch, with the instant's fraction of a millisecond. */
    private static double millis(Instant at) {
        return at.getEpochSecond() * 1e3 + at.getNano() / 1e6;
    }

    private static double share(Duration cpu, double seconds) {
        return 100 * cpu.toNanos() / 1e9 / seconds;
    }

    /**
     * A run's first abort as the reader held it: when ({@link System#nanoTime()}), its body, when the broker appended it
     * (its record's timestamp; null unless {@code LogAppendTime}), when its sender handed it to its producer (its
     * CloudEvents time, {@code ce_time}; null without one), and how long after its record's timestamp it was held: the
     * last hop alone.
     */
    private record HeldAbort(long heldNanos, byte[] body, Long appendedMillis, Instant handedOff, long lastHopMillis) {
    }

    /** Reads the abort topic into {@code held}, each run's first abort. */
    private static void readAborts(String servers, Map<String, HeldAbort> held, AtomicBoolean stop) {
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
                    Header time = r.headers().lastHeader("ce_time");
                    held.putIfAbsent(r.key(), new HeldAbort(at, r.value(),
                            r.timestampType() == TimestampType.LOG_APPEND_TIME ? r.timestamp() : null,
                            time == null ? null : Instant.parse(new String(time.value(), StandardCharsets.UTF_8)),
                            System.currentTimeMillis() - r.timestamp()));
                }
            }
        }
    }
}
