package io.tumult.guardian.backtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.Topics;

/**
 * A span of {@code tumult.metrics} as it was recorded: read with a consumer of its own (no group, nothing
 * committed) from the first record published at or after the span's start to the topic's end at the time of asking.
 */
@ApplicationScoped
public class RecordedSamples {

    /** Most samples one backtest reads. */
    public static final int MAX_SAMPLES = 2_000_000;

    private final String bootstrapServers;

    RecordedSamples(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * The valid samples of {@code metrics} timed in [from, to], of run {@code runId} or global (every run's when
     * {@code runId} is null); invalid records are skipped, as the guardian dead-lettered them.
     *
     * @throws IllegalStateException when the span holds more than {@link #MAX_SAMPLES} of them
     */
    public List<MetricSample> read(Set<String> metrics, Instant from, Instant to, UUID runId) {
        var samples = new ArrayList<MetricSample>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.METRICS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            var search = new HashMap<TopicPartition, Long>();
            partitions.forEach(tp -> search.put(tp, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(search);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            var remaining = new HashMap<TopicPartition, Long>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp start = starts.get(tp);
                if (start != null && start.offset() < ends.get(tp)) {
                    consumer.seek(tp, start.offset());
                    remaining.put(tp, ends.get(tp));
                }
            }
            consumer.pause(partitions.stream().filter(tp -> !remaining.containsKey(tp)).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!remaining.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    MetricSample s = decode(r.value());
                    if (s != null && metrics.contains(s.name()) && !s.at().isBefore(from) && !s.at().isAfter(to)
                            && (runId == null || s.runId() == null || runId.equals(s.runId()))) {
                        if (samples.size() == MAX_SAMPLES) {
                            throw new IllegalStateException("the span holds more than " + MAX_SAMPLES
                                    + " samples of " + metrics + "; ask for a shorter one");
                        }
                        samples.add(s);
                    }
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
        return samples;
    }

    private static MetricSample decode(byte[] value) {
        try {
            return value == null ? null : TumultJson.decode(EventType.METRIC_SAMPLE, value);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
