package io.tumult.bench.guardian;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.tumult.local.GuardedProcess;
import io.tumult.schemas.v1.Topics;

/**
 * The baseline for the guardian's breach → abort: a JVM that does only the two Kafka hops. It consumes every sample
 * (all partitions assigned, no group) with the guardian's fetch settings and, for each sample of {@code bench_breach},
 * sends a record keyed like it to the abort topic with the guardian's producer settings; it judges nothing. Under the
 * same background load, what it takes is what the broker and the machine take, and the guardian's time beyond it is
 * the guardian's.
 */
final class NullRelay implements Judge {

    private static final byte[] BREACH = ("{\"name\":\"bench_breach\"").getBytes(StandardCharsets.UTF_8);

    private final GuardedProcess process;

    private NullRelay(GuardedProcess process) {
        this.process = process;
    }

    /** Starts the relay in a JVM of its own (the guardian's heap and GC) and waits until it holds its partitions. */
    static NullRelay start(String servers, Path log) throws IOException, InterruptedException {
        Files.deleteIfExists(log); // an earlier run's "relaying" would pass for this one's
        GuardedProcess process = GuardedProcess.start("null relay", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m",
                "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), NullRelay.class.getName(), servers),
                log, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!process.log().contains("relaying")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = process.logTail(20);
                process.close();
                throw new IllegalStateException("null relay did not start:\n" + tail);
            }
            Thread.sleep(50); // polling its log: there is no event to await
        }
        return new NullRelay(process);
    }

    /** It watches nothing: every breach sample is relayed. */
    @Override
    public void awaitWatching(String runId, Duration timeout) {
    }

    /** Samples consumed so far, as it last reported (every 100 ms). */
    @Override
    public double evaluated() {
        return ReportedCount.last(process, "consumed");
    }

    @Override
    public Duration cpu() {
        return GuardianProcess.cpu(process.processes());
    }

    @Override
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        process.close();
    }

    /** {@code <bootstrap servers>}: relays until it is stopped. */
    public static void main(String[] args) {
        var consumed = new AtomicLong();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                // the guardian's fetch settings (GuardianLoop)
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 * 1024 * 1024), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
                var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        args[0], ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            // every partition assigned, no group: no rebalance can move where it reads; its start is fixed before
            // it says "relaying", so that every breach sent after that is seen
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.METRICS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            producer.partitionsFor(Topics.RUN_ABORT); // its metadata, as the guardian's warm-up fetches it
            System.out.println("relaying");
            ReportedCount.printEvery100Ms("consumed", consumed);
            while (true) {
                var records = consumer.poll(Duration.ofMillis(20)); // the guardian's poll timeout
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byte[] value = r.value();
                    if (value != null && value.length >= BREACH.length
                            && Arrays.equals(value, 0, BREACH.length, BREACH, 0, BREACH.length)) {
                        var abort = new ProducerRecord<>(Topics.RUN_ABORT, r.key(), value);
                        // when it was handed to the producer, as the guardian's aborts say in their CloudEvents time
                        abort.headers().add("ce_time", Instant.now().toString().getBytes(StandardCharsets.UTF_8));
                        producer.send(abort, (meta, e) -> System.out
                                .println("relayed " + new String(r.key(), StandardCharsets.UTF_8) + (e == null ? ""
                                        : ": " + e)));
                    }
                }
                consumed.addAndGet(records.count());
            }
        }
    }
}
