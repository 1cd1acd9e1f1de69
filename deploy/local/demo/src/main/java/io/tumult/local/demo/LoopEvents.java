package io.tumult.local.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.tumult.local.EventClient;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;

/**
 * Records every run-start, run-status, abort and steady-state verdict on the broker as it arrives, and tells
 * listeners. A record that is not a valid event (someone produced it by hand, or a bug did) is skipped: listeners hear
 * of it, and the next record is read as usual.
 */
final class LoopEvents implements AutoCloseable {

    /** One event seen on the broker. */
    record Seen(Instant receivedAt, EventType<?> type, String key, String ceType, String ceSource, Object event) {
    }

    /** A record that was not a valid event, skipped. */
    record Skipped(Instant receivedAt, String topic, int partition, long offset, String key, String reason) {
    }

    private static final List<EventType<?>> WATCHED = List.of(EventType.RUN_STARTED, EventType.RUN_STATUS,
            EventType.RUN_ABORTED, EventType.STEADY_STATE_VERDICT);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread poller;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Consumer<Seen>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Skipped>> skipListeners = new CopyOnWriteArrayList<>();

    LoopEvents(String bootstrapServers) {
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "tumult-local-loop-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(WATCHED.stream().map(EventType::topic).toList());
        poller = new Thread(this::poll, "loop-events");
        poller.setDaemon(true);
        poller.start();
    }

    /** Calls {@code listener} for every event seen from now on. */
    void onEvent(Consumer<Seen> listener) {
        listeners.add(listener);
    }

    /** Calls {@code listener} for every record skipped from now on because it was not a valid event. */
    void onSkipped(Consumer<Skipped> listener) {
        skipListeners.add(listener);
    }

    /** Every event seen so far, in arrival order. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The first event seen so far of this type that matches. */
    <T> Optional<T> first(EventType<T> type, Predicate<T> matching) {
        return seen.stream().filter(s -> s.type() == type).map(s -> type.javaType().cast(s.event()))
                .filter(matching).findFirst();
    }

    private void poll() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    // the abort topic also carries halt releases: the ce_type tells which event a record is
                    EventType<?> type = Optional.ofNullable(EventClient.header(r, "ce_type")).flatMap(EventType::byCeType)
                            .filter(t -> t.topic().equals(r.topic()))
                            .orElseGet(() -> WATCHED.stream().filter(t -> t.topic().equals(r.topic())).findFirst()
                                    .orElseThrow());
                    if (r.value() == null) {
                        continue; // a tombstone: compaction deleting an abort, not an event
                    }
                    Object event;
                    try {
                        event = TumultJson.decode(type, r.value());
                    } catch (RuntimeException e) { // invalid, or a codec bug: one record, never the whole timeline
                        var skipped = new Skipped(Instant.now(), r.topic(), r.partition(), r.offset(), r.key(),
                                String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
                        skipListeners.forEach(l -> l.accept(skipped));
                        continue;
                    }
                    var s = new Seen(Instant.now(), type, r.key(), EventClient.header(r, "ce_type"),
                            EventClient.header(r, "ce_source"), event);
                    seen.add(s);
                    listeners.forEach(l -> l.accept(s));
                }
            }
        } catch (WakeupException closing) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        poller.join(5000);
    }
}
