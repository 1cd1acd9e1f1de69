package io.tumult.local;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;

/**
 * Publishes and reads Tumult events on a real broker the way any peer would: CloudEvents 1.0 in binary mode, JSON
 * body. For tests, probes and the local loop.
 */
public final class EventClient implements AutoCloseable {

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    public EventClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code event} on its topic with CloudEvents headers, and waits for the broker's ack. */
    public <T> RecordMetadata publish(EventType<T> type, String key, T event, String source) {
        return send(type.topic(), key, TumultJson.encode(event), type.ceType(), source, true);
    }

    /** Publishes {@code event} without waiting: for probes publishing many samples. */
    public <T> void publishAsync(EventType<T> type, String key, T event, String source) {
        send(type.topic(), key, TumultJson.encode(event), type.ceType(), source, false);
    }

    /** Waits until every record published so far, asynchronously too, is acknowledged (or failed). */
    public void flush() {
        producer.flush();
    }

    /** Publishes arbitrary bytes with the CloudEvents headers of {@code type}: for bad-input tests. */
    public void publishRaw(EventType<?> type, String key, byte[] body) {
        send(type.topic(), key, body, type.ceType(), "/tumult/test", true);
    }

    private RecordMetadata send(String topic, String key, byte[] body, String ceType, String source, boolean await) {
        var record = new ProducerRecord<>(topic, key, body);
        cloudEventHeaders(record.headers(), ceType, source);
        var sent = producer.send(record);
        if (!await) {
            return null;
        }
        try {
            return sent.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until consumer group {@code group} has committed past {@code record}: the record was processed. For
     * tests whose next step depends on a record of another topic having been handled first.
     */
    public void awaitConsumed(String group, RecordMetadata record, Duration timeout) {
        var partition = new TopicPartition(record.topic(), record.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(5, TimeUnit.SECONDS).get(partition);
                if (committed != null && committed.offset() > record.offset()) {
                    return;
                }
                Thread.sleep(100); // offsets are committed on the consumer's own schedule
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of " + group + ": " + e.getMessage(), e);
        }
        throw new AssertionError(group + " did not consume " + partition + "@" + record.offset() + " within " + timeout);
    }

    /** Adds the CloudEvents 1.0 binary-mode headers. */
    public static void cloudEventHeaders(Headers headers, String type, String source) {
        headers.add("ce_specversion", bytes("1.0"));
        headers.add("ce_id", bytes(UUID.randomUUID().toString()));
        headers.add("ce_type", bytes(type));
        headers.add("ce_source", bytes(source));
        headers.add("ce_time", bytes(Instant.now().toString()));
        headers.add("content-type", bytes("application/json"));
    }

    /**
     * Reads {@code topic} from the beginning until {@code done} holds for what was read so far, or the timeout
     * passes; returns everything read.
     */
    public List<ConsumerRecord<String, byte[]>> read(String topic, Predicate<List<ConsumerRecord<String, byte[]>>> done,
            Duration timeout) {
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "tumult-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every record on {@code topic} now: reads each partition from its beginning to its current end. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        var records = new ArrayList<ConsumerRecord<String, byte[]>>();
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every record on {@code topic} whose body decodes as {@code type}, decoded, in order. */
    public <T> List<T> events(EventType<T> type, List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> TumultJson.decode(type, r.value())).toList();
    }

    /** A header's value as text, or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
