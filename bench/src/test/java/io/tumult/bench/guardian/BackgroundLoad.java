package io.tumult.bench.guardian;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.tumult.local.GuardedProcess;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Topics;

/**
 * Healthy samples for watched runs at a steady rate, in bursts every 10 ms: the background load of the guardian's
 * latency bench. Runs on a thread of the bench's JVM ({@link #produce}), or in a JVM of its own at the lowest CPU
 * priority ({@link #startNiced}), the way producers on other machines would not compete with the guardian and the
 * broker for their cores; that JVM prints how many samples it has sent, every 100 ms.
 */
public final class BackgroundLoad {

    /** How far behind its pace the load may fall and still catch up (in larger bursts). */
    private static final long CATCH_UP_NANOS = 50_000_000L;
    /** Sample values 0..99: healthy for every bench rule. */
    private static final int VALUES = 100;
    private static final Header SPEC_VERSION = new RecordHeader("ce_specversion", bytes("1.0"));
    private static final Header TYPE = new RecordHeader("ce_type", bytes(EventType.METRIC_SAMPLE.ceType()));
    private static final Header SOURCE = new RecordHeader("ce_source", bytes("/bench"));
    private static final Header CONTENT_TYPE = new RecordHeader("content-type", bytes("application/json"));

    private BackgroundLoad() {
    }

    /**
     * Sends {@code perSecond} samples a second round-robin over {@code runs} until {@code stop}: the same records as
     * {@link BenchSamples#sample}, assembled from bytes prepared once (a sample's JSON is a prefix per value, the
     * burst's time and a suffix per run; the constant CloudEvents headers are shared, {@code ce_id} is a counter), so
     * that the generator takes as little of the cores as it can.
     */
    static void produce(String servers, List<UUID> runs, int perSecond, AtomicLong sent, AtomicBoolean stop) {
        List<String> keys = runs.stream().map(UUID::toString).toList();
        byte[][] prefixes = new byte[VALUES][];
        for (int v = 0; v < VALUES; v++) {
            prefixes[v] = bytes("{\"name\":\"" + BenchSamples.METRIC + "\",\"value\":" + (double) v + ",\"at\":\"");
        }
        byte[][] suffixes = keys.stream().map(k -> bytes("\",\"runId\":\"" + k + "\"}")).toArray(byte[][]::new);
        String idPrefix = "bench-load-" + ProcessHandle.current().pid() + "-";
        int burst = perSecond / 100;
        try (KafkaProducer<String, byte[]> producer = BenchSamples.bulkProducer(servers)) {
            long next = System.nanoTime();
            long i = 0;
            while (!stop.get()) {
                String now = Instant.now().toString();
                byte[] at = bytes(now);
                var time = new RecordHeader("ce_time", at);
                for (int b = 0; b < burst; b++, i++) {
                    int r = (int) (i % keys.size());
                    byte[] prefix = prefixes[(int) (i % VALUES)];
                    byte[] value = new byte[prefix.length + at.length + suffixes[r].length];
                    System.arraycopy(prefix, 0, value, 0, prefix.length);
                    System.arraycopy(at, 0, value, prefix.length, at.length);
                    System.arraycopy(suffixes[r], 0, value, prefix.length + at.length, suffixes[r].length);
                    producer.send(new ProducerRecord<>(Topics.METRICS, null, keys.get(r), value,
                            new RecordHeaders(new Header[] {
                                    SPEC_VERSION, new RecordHeader("ce_id", bytes(idPrefix + i)), TYPE, SOURCE, time,
                                    CONTENT_TYPE })));
                }
                sent.addAndGet(burst);
                next += 10_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing the load
                } else if (wait < -CATCH_UP_NANOS) {
                    next = System.nanoTime(); // too far behind: bursts missed stay missed, the rate reports it
                }
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Starts the load in a JVM of its own under {@code nice -n 19}, its output in {@code log}. */
    static GuardedProcess startNiced(String servers, List<UUID> runs, int perSecond, Path log) throws IOException {
        Files.deleteIfExists(log); // an earlier run's counts would pass for this one's
        var command = new ArrayList<>(List.of("nice", "-n", "19",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), BackgroundLoad.class.getName(), servers,
                Integer.toString(perSecond)));
        runs.forEach(r -> command.add(r.toString()));
        return GuardedProcess.start("background load", command, log, Duration.ofSeconds(5));
    }

    /** How many samples the niced JVM reported sent so far (0 before its first report). */
    static long sentSoFar(GuardedProcess load) {
        return ReportedCount.last(load, "sent");
    }

    /** {@code <bootstrap servers> <samples per second> <run id>...}; runs until it is stopped. */
    public static void main(String[] args) {
        List<UUID> runs = Arrays.stream(args).skip(2).map(UUID::fromString).toList();
        var sent = new AtomicLong();
        ReportedCount.printEvery100Ms("sent", sent);
        produce(args[0], runs, Integer.parseInt(args[1]), sent, new AtomicBoolean());
    }
}
