package io.tumult.scheduler.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether a record is already on its topic: asked before a relay republishes a row it took over, whose writer may have
 * died after the broker's ack and before marking the row sent. Reads only the key's partition (the default
 * partitioner's choice), from a given time to the end offset it found, without a consumer group. Blocking.
 */
final class TopicLookup implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    TopicLookup(String bootstrapServers, Duration timeout) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.CLIENT_ID_CONFIG,
                "tumult-scheduler-outbox-lookup"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /**
     * Whether a record with this key and exactly this value was appended to {@code topic} at or after {@code since}.
     *
     * @throws IllegalStateException when the partition cannot be read to its end in time (the caller then publishes:
     *         a record twice is better than none)
     */
    boolean contains(String topic, String key, byte[] value, Instant since) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int partitions = consumer.partitionsFor(topic, timeout).size();
        var tp = new TopicPartition(topic, Utils.toPositive(Utils.murmur2(keyBytes)) % partitions);
        consumer.assign(List.of(tp));
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(tp, since.toEpochMilli()), timeout).get(tp);
        if (from == null || from.offset() >= end) {
            return false;
        }
        consumer.seek(tp, from.offset());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(tp, timeout) < end) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < end && Arrays.equals(r.key(), keyBytes) && Arrays.equals(r.value(), value)) {
                    return true;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + tp + " up to offset " + end + " within " + timeout);
            }
        }
        return false;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
