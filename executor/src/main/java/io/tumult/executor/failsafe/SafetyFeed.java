package io.tumult.executor.failsafe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunClaimed;
import io.tumult.schemas.v1.Topics;

/**
 * The executor's group-less view of the topics every instance must see whole: the abort topic (from the beginning),
 * the guardian heartbeat (from its end: only fresh beats count), the run statuses and the run claims (from a bounded
 * look-back). It also writes this instance's claims and tells when each was read back. One
 * plain {@link KafkaConsumer} with {@code assign()}, on its own thread, no {@code group.id}, nothing committed: no
 * consumer group exists per instance, and its identity owes nothing to a PID. See DESIGN.md.
 */
final class SafetyFeed implements Runnable {

    private static final Logger LOG = Logger.getLogger(SafetyFeed.class);

    private final FailSafe failSafe;
    private final String bootstrapServers;
    private final String clientId;
    private final Duration statusLookBack;
    private final Duration contactCheck;
    private final InstantSource clock;
    /** Next offset to read per partition, so a reconnect resumes where it stopped (a replayed old halt would revert). */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** End of the start-up replay; records at or past it arrived while this instance was live. */
    private final Map<TopicPartition, Long> replayEnd = new HashMap<>();
    /** Highest offset handled per partition, for tests that wait for a record to be handled. */
    private final Map<TopicPartition, Long> handled = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> deadLetters;
    private final KafkaProducer<String, byte[]> claims;
    /** Claims written and not yet read back, by run id: completed by the feed's thread once it has read them. */
    private final Map<UUID, Written> unread = new ConcurrentHashMap<>();
    private final Thread thread;

    SafetyFeed(FailSafe failSafe, String bootstrapServers, String executorId, Duration statusLookBack,
            Duration deadManTimeout, InstantSource clock) {
        this.failSafe = failSafe;
        this.bootstrapServers = bootstrapServers;
        this.clientId = "tumult-executor-failsafe-" + executorId;
        this.statusLookBack = statusLookBack;
        this.contactCheck = deadManTimeout.dividedBy(4);
        this.clock = clock;
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-claims");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(1_000, deadManTimeout.toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1_000, deadManTimeout.toMillis()));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1_000, deadManTimeout.toMillis()));
        this.claims = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.thread = new Thread(this, "tumult-failsafe-feed");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(2));
        }
        claims.close(Duration.ofSeconds(2));
    }

    /** A claim written at {@code offset} of {@code partition}, and who waits for it to be read back. */
    private record Written(TopicPartition partition, long offset, CompletableFuture<Void> read) {
    }

    /**
     * Writes {@code claim} (acks from every in-sync replica) and completes once this feed has read the claims topic up
     * to it: every earlier claim of the run is known by then, since one run's claims share a partition.
     */
    CompletionStage<Void> claim(RunClaimed claim) {
        var read = new CompletableFuture<Void>();
        var record = new ProducerRecord<>(Topics.RUN_CLAIMS, claim.runId().toString(), TumultJson.encode(claim));
        // CloudEvents 1.0, binary mode, like every Tumult event
        record.headers().add("ce_specversion", bytes("1.0")).add("ce_id", bytes(UUID.randomUUID().toString()))
                .add("ce_type", bytes(EventType.RUN_CLAIMED.ceType())).add("ce_source", bytes("/tumult/executor"))
                .add("ce_time", bytes(claim.claimedAt().toString())).add("content-type", bytes("application/json"));
        try {
            claims.send(record, (meta, failure) -> {
                if (failure != null) {
                    read.completeExceptionally(failure);
                    return;
                }
                var p = new TopicPartition(meta.topic(), meta.partition());
                unread.put(claim.runId(), new Written(p, meta.offset(), read));
                if (handled(p.topic(), p.partition(), meta.offset())) { // read back before it was registered
                    read.complete(null);
                }
            });
        } catch (RuntimeException e) { // no metadata in time, or closed
            read.completeExceptionally(e);
        }
        return read.whenComplete((ok, failure) -> unread.remove(claim.runId()));
    }

    /** Whether the reading thread runs (it survives lost connections: only stop() or a bug ends it). */
    boolean isAlive() {
        return thread.isAlive();
    }

    /** Whether the record at {@code offset} of that partition has been handled. */
    boolean handled(String topic, int partition, long offset) {
        Long done = handled.get(new TopicPartition(topic, partition));
        return done != null && done >= offset;
    }

    @Override
    public void run() {
        while (running) {
            try (var c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                // stop() asked
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("fail-safe feed lost Kafka (%s); reconnecting", e.toString());
                    sleep(500);
                }
            } finally {
                consumer = null;
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> aborts = partitions(c, Topics.RUN_ABORT);
        List<TopicPartition> beats = partitions(c, Topics.GUARDIAN_HEARTBEAT);
        var lookedBack = new ArrayList<TopicPartition>(partitions(c, Topics.RUN_STATUS));
        lookedBack.addAll(partitions(c, Topics.RUN_CLAIMS));
        lookedBack.addAll(partitions(c, Topics.RUN_VERDICTS));
        var all = new ArrayList<TopicPartition>();
        all.addAll(aborts);
        all.addAll(beats);
        all.addAll(lookedBack);
        c.assign(all);
        if (next.isEmpty()) {
            c.seekToBeginning(aborts);
            c.seekToEnd(beats);
            var since = new HashMap<TopicPartition, Long>();
            long from = clock.instant().minus(statusLookBack).toEpochMilli();
            lookedBack.forEach(p -> since.put(p, from));
            Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(since);
            for (TopicPartition p : lookedBack) {
                OffsetAndTimestamp at = found.get(p);
                if (at == null) {
                    c.seekToEnd(List.of(p));
                } else {
                    c.seek(p, at.offset());
                }
            }
            var replayed = new ArrayList<TopicPartition>(aborts);
            replayed.addAll(lookedBack);
            replayEnd.putAll(c.endOffsets(replayed));
        } else {
            for (TopicPartition p : all) {
                Long offset = next.get(p);
                if (offset != null && !beats.contains(p)) {
                    c.seek(p, offset);
                } else if (beats.contains(p)) {
                    c.seekToEnd(List.of(p));
                }
            }
        }
        failSafe.kafkaContact();
        long lastCheck = System.nanoTime();
        while (running) {
            var records = c.poll(Duration.ofMillis(100));
            for (ConsumerRecord<String, byte[]> record : records) {
                handle(record);
                var p = new TopicPartition(record.topic(), record.partition());
                next.put(p, record.offset() + 1);
                handled.put(p, record.offset());
            }
            if (!records.isEmpty()) {
                failSafe.kafkaContact();
                unread.values().stream().filter(w -> handled(w.partition().topic(), w.partition().partition(),
                        w.offset())).forEach(w -> w.read().complete(null));
            }
            if (!failSafe.replayed() && caughtUp(c)) {
                failSafe.caughtUp();
            }
            if (System.nanoTime() - lastCheck > contactCheck.toNanos()) {
                lastCheck = System.nanoTime();
                c.endOffsets(beats, failSafe.deadManTimeout()); // throws when Kafka does not answer in time
                failSafe.kafkaContact();
            }
        }
    }

    private boolean caughtUp(KafkaConsumer<String, byte[]> c) {
        for (var end : replayEnd.entrySet()) {
            if (c.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        switch (record.topic()) {
            case Topics.GUARDIAN_HEARTBEAT -> heartbeat(record);
            case Topics.RUN_STATUS -> status(record);
            case Topics.RUN_ABORT -> abortTopic(record);
            case Topics.RUN_CLAIMS -> claimed(record);
            case Topics.RUN_VERDICTS -> verdict(record);
            default -> {
            }
        }
    }

    /** Only a valid heartbeat counts: a record that merely lands on the topic proves no guardian alive. */
    private void heartbeat(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            TumultJson.decode(EventType.GUARDIAN_HEARTBEAT, record.value());
        } catch (RuntimeException e) {
            LOG.warnf("ignored an invalid guardian heartbeat (key %s): %s", record.key(), e.getMessage());
            return;
        }
        failSafe.heartbeat();
    }

    /** A run with a status is seen: by its key alone, except for a node agent, which needs the status's executor. */
    private void status(ConsumerRecord<String, byte[]> record) {
        if (failSafe.everyStatusCounts()) {
            runId(record.key()).ifPresent(failSafe::statusSeen);
            return;
        }
        if (record.value() == null) {
            return;
        }
        try {
            failSafe.statusSeen(TumultJson.decode(EventType.RUN_STATUS, record.value()));
        } catch (RuntimeException e) { // fail safe: a status that cannot be read still marks its run seen
            runId(record.key()).ifPresent(failSafe::statusSeen);
        }
    }

    private void claimed(ConsumerRecord<String, byte[]> record) {
        try {
            failSafe.claimSeen(TumultJson.decode(EventType.RUN_CLAIMED, record.value()));
        } catch (RuntimeException e) { // a claim that is not one claims nothing
            deadLetter(record, e);
        }
    }

    private void verdict(ConsumerRecord<String, byte[]> record) {
        try {
            failSafe.verdictSeen(TumultJson.decode(EventType.STEADY_STATE_VERDICT, record.value()));
        } catch (RuntimeException e) { // one that is not a verdict lets nothing in
            deadLetter(record, e);
        }
    }

    /** Decodes by {@code ce_type}: an abort (or halt-all), or a halt release; a record without one is an abort. */
    private void abortTopic(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: compaction's way of deleting; nothing to act on (it never releases a halt)
        }
        String type = header(record, "ce_type");
        try {
            if (type == null || type.equals(EventType.RUN_ABORTED.ceType())) {
                failSafe.abort(TumultJson.decode(EventType.RUN_ABORTED, record.value()));
            } else if (type.equals(EventType.HALT_RELEASED.ceType())) {
                if (!HaltReleased.KEY.equals(record.key())) {
                    throw new IllegalArgumentException("a halt release must be keyed " + RunAborted.ALL_RUNS
                            + " (like the halt it releases), not " + record.key());
                }
                failSafe.release(TumultJson.decode(EventType.HALT_RELEASED, record.value()));
            } else {
                throw new IllegalArgumentException("unknown ce_type on " + Topics.RUN_ABORT + ": " + type);
            }
        } catch (RuntimeException e) { // bad input (or a codec bug): never the end of the feed
            deadLetter(record, e);
        }
    }

    /**
     * Dead-letters an abort-topic record that cannot be handled, if it arrived while this instance was live (every
     * live replica does so: one letter per replica). One met during the start-up replay is only logged: it was
     * dead-lettered when it arrived.
     */
    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException e) {
        var p = new TopicPartition(record.topic(), record.partition());
        if (record.offset() < replayEnd.getOrDefault(p, 0L)) {
            LOG.warnf("skipped an invalid record on %s during the start-up replay: %s", p, e.getMessage());
            return;
        }
        LOG.warnf("dead-lettering an invalid record on %s@%d: %s", p, record.offset(), e.getMessage());
        if (deadLetters == null) {
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-dlq");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            deadLetters = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        var letter = new ProducerRecord<>(Topics.DEAD_LETTER, record.key(), record.value());
        record.headers().forEach(h -> letter.headers().add(h));
        letter.headers().add("dead-letter-reason", bytes(String.valueOf(e.getMessage())));
        letter.headers().add("dead-letter-cause", bytes(e.getClass().getName()));
        letter.headers().add("dead-letter-topic", bytes(record.topic()));
        letter.headers().add("dead-letter-partition", bytes(Integer.toString(record.partition())));
        letter.headers().add("dead-letter-offset", bytes(Long.toString(record.offset())));
        deadLetters.send(letter, (meta, failure) -> {
            if (failure != null) {
                LOG.errorf("could not dead-letter %s@%d: %s", p, record.offset(), failure.toString());
            }
        });
    }

    private Properties consumerConfig() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // no group: nothing to commit to
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
        var infos = c.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private static Optional<UUID> runId(String key) {
        try {
            return Optional.of(UUID.fromString(key));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
