package io.tumult.guardian.messaging;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tumult.guardian.config.GuardianConfig;
import io.tumult.guardian.rules.RuleBook;
import io.tumult.guardian.rules.SampleRejected;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.GuardianHeartbeat;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;

/**
 * The guardian's evaluating thread: one Kafka consumer, in the replicas' group, reading run-starts, run statuses and
 * metric samples in batches, and one {@link RuleBook} that only this thread touches (no lock anywhere on the hot
 * path). All three topics are keyed by run id and have as many partitions; the range assignor gives partition
 * {@code p} of each to the same replica, so a run's start, its statuses and its samples meet on one replica.
 * <p>
 * A run's statuses go to {@link RuleBook#status}: a run that ended is forgotten, except that one reverted at its
 * deadline with steady-state conditions is first judged again after the revert ({@link RuleBook#reverted}); the
 * verdicts are sent after each poll.
 * <p>
 * On every assignment the book is rebuilt: run-starts and statuses of the assigned partitions are reread from
 * {@link GuardianConfig#runLookback()} ago (runs past their deadline or ended are skipped, but a reverted run whose
 * judgement after the revert is still due is resumed), and the partitions' samples wait (paused) until that is done,
 * so a restarted or rebalanced replica resumes every run in progress before it judges a sample. Sample offsets are
 * committed only once every abort they caused is acknowledged (verdicts are not awaited: one lost in a crash is
 * judged again by the rebuilt book while due, and a second verdict for a run is harmless, the scheduler takes the
 * first).
 * <p>
 * A sample that fails its schema, is not finite or is timed beyond the tolerances is dead-lettered with the reason;
 * so is an invalid run-start or status. Other threads reach the book through {@link #offer} and {@link #inspect}.
 */
@ApplicationScoped
public class GuardianLoop {

    private static final Logger LOG = Logger.getLogger(GuardianLoop.class);

    private final GuardianConfig config;
    private final String bootstrapServers;
    private final InstantSource clock = InstantSource.system();
    private final Counter evaluated;
    private final Counter deadLettered;
    private final Timer breachToAbort;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final SampleDecoder decoder = new SampleDecoder();
    private final List<Condition> globalGuards;
    private final Set<TopicPartition> catchingUp = new HashSet<>();
    private final Map<TopicPartition, Long> catchUpTo = new HashMap<>();

    private volatile boolean running;
    private volatile int watched;
    private volatile boolean caughtUp;
    private volatile Thread thread;
    private KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    private KafkaProducer<String, byte[]> producer;
    private AbortPublisher aborts;
    private DeadLetters deadLetters;
    private RuleBook rules;
    private long nextNoDataCheck;
    private long silenceDeferredSince;
    private long nextCommit;

    GuardianLoop(GuardianConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            MeterRegistry registry) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.globalGuards = parseGuards(config.globalGuards().orElse(List.of()));
        this.evaluated = Counter.builder("tumult.guardian.samples.evaluated")
                .description("Metric samples judged against the watched runs' conditions").register(registry);
        this.deadLettered = Counter.builder("tumult.guardian.samples.dead.lettered")
                .description("Metric samples sent to the dead-letter topic (invalid or timed beyond the tolerances)")
                .register(registry);
        this.breachToAbort = Timer.builder("tumult.guardian.breach.to.abort")
                .description("From receiving the deciding sample (or judging silence) to the abort acknowledged by the broker")
                .publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        rules = newBook();
        producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
        aborts = new AbortPublisher(producer, breachToAbort);
        deadLetters = new DeadLetters(producer);
        var warmUp = new Thread(() -> {
            try {
                aborts.warmUp();
            } catch (RuntimeException e) {
                LOG.warnf("could not prepare the abort path ahead (%s); the first abort pays for it", e.getMessage());
            }
        }, "guardian-abort-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        // keys and values as views of the fetched bytes: nothing copied or decoded per record until it is needed
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteBufferDeserializer(),
                new ByteBufferDeserializer());
        running = true;
        thread = new Thread(this::run, "guardian-loop");
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            thread.join(10_000);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The ingest for values that do not come from {@code tumult.metrics} (the Prometheus bridge): {@code offer} runs on
     * the evaluating thread, in order with the topic's samples, against the same book (for example
     * {@link RuleBook#offerQuery}); the aborts it returns are sent like any other. Completes with those aborts, or
     * fails with what {@code offer} threw ({@link SampleRejected} for values timed beyond the tolerances).
     *
     * @param samples how many values {@code offer} judges, for {@code tumult_guardian_samples_evaluated_total}
     */
    public CompletionStage<List<RunAborted>> ingest(int samples, Function<RuleBook, List<RunAborted>> offer) {
        return inspect(book -> {
            long received = System.nanoTime();
            List<RunAborted> decided = offer.apply(book);
            decided.forEach(a -> aborts.publish(a, received));
            evaluated.increment(samples);
            return decided;
        });
    }

    /**
     * Publishes aborts decided outside the evaluator (the alert receivers) on the guardian's own producer. Completes
     * once the broker acknowledged them all; a failed send is retried until it lands.
     */
    public CompletionStage<Void> publish(List<RunAborted> decided) {
        return CompletableFuture.allOf(decided.stream().map(aborts::publishDecided).toArray(CompletableFuture[]::new));
    }

    /**
     * Publishes {@code beat} on the producer that sends the aborts ({@link AbortPublisher#publishHeartbeat}); completes
     * once the broker has it. Fails before start-up has created the producer.
     */
    public CompletionStage<Void> heartbeat(GuardianHeartbeat beat) {
        AbortPublisher publisher = aborts;
        if (publisher == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the guardian has not started"));
        }
        return publisher.publishHeartbeat(beat);
    }

    /** Runs {@code query} on the evaluating thread, against the rule book. */
    public <T> CompletionStage<T> inspect(Function<RuleBook, T> query) {
        var result = new CompletableFuture<T>();
        tasks.add(() -> {
            try {
                result.complete(query.apply(rules));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** How many runs are watched (for the heartbeat). */
    public int watched() {
        return watched;
    }

    /** Whether the evaluating thread runs (it stops only on shutdown, or on an error it cannot recover from). */
    public boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Whether the assigned partitions' runs have been rebuilt and samples are being judged. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.RUN_START, Topics.RUN_STATUS, Topics.METRICS), new Rebuild());
            while (running) {
                ConsumerRecords<ByteBuffer, ByteBuffer> records;
                try {
                    records = consumer.poll(config.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                long receivedNanos = System.nanoTime();
                long now = clock.millis();
                int samples = 0;
                for (ConsumerRecord<ByteBuffer, ByteBuffer> record : records) {
                    switch (record.topic()) {
                        case Topics.METRICS -> {
                            sample(record, now, receivedNanos);
                            samples++;
                        }
                        case Topics.RUN_START -> runStarted(record, now);
                        case Topics.RUN_STATUS -> runStatus(record, now);
                        default -> LOG.warnf("record of unexpected topic %s ignored", record.topic());
                    }
                }
                if (samples > 0) {
                    evaluated.increment(samples);
                }
                afterPoll(now);
            }
            try {
                commit(true);
            } catch (WakeupException e) {
                commit(true); // the wake-up from stop() was still pending
            }
        } catch (RuntimeException e) {
            LOG.error("the guardian's evaluating loop stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void sample(ConsumerRecord<ByteBuffer, ByteBuffer> record, long now, long receivedNanos) {
        if (record.value() == null) {
            return; // a tombstone
        }
        List<RunAborted> decided;
        try {
            SampleDecoder.Decoded s = decoder.decode(record.value());
            decided = rules.offer(s.runId, s.name, s.value, s.atMillis, s.histogram, now);
        } catch (InvalidDocumentException | SampleRejected e) {
            deadLettered.increment();
            deadLetters.send(record, e.getMessage(), null);
            return;
        } catch (RuntimeException e) { // a bug, not bad input: one record, never the end of the loop
            deadLettered.increment();
            deadLetters.send(record, "sample could not be evaluated: " + e, e);
            return;
        }
        for (int i = 0; i < decided.size(); i++) {
            aborts.publish(decided.get(i), receivedNanos);
        }
    }

    private void runStarted(ConsumerRecord<ByteBuffer, ByteBuffer> record, long now) {
        if (record.value() == null) {
            return;
        }
        List<RunAborted> decided;
        try {
            decided = rules.watch(TumultJson.decode(EventType.RUN_STARTED, FetchedBytes.copy(record.value())),
                    Instant.ofEpochMilli(now));
        } catch (RuntimeException e) {
            deadLetters.send(record, e.getMessage(), e);
            return;
        }
        long judgedNanos = System.nanoTime();
        decided.forEach(a -> aborts.publish(a, judgedNanos));
    }

    private void runStatus(ConsumerRecord<ByteBuffer, ByteBuffer> record, long now) {
        if (record.value() == null) {
            return;
        }
        try {
            RunStatus status = TumultJson.decode(EventType.RUN_STATUS, FetchedBytes.copy(record.value()));
            rules.status(status, Instant.ofEpochMilli(now));
        } catch (RuntimeException e) {
            deadLetters.send(record, e.getMessage(), e);
        }
    }

    private void afterPoll(long now) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
        aborts.retryFailed();
        if (!caughtUp && !catchUpTo.isEmpty()) {
            resumeSamplesWhenCaughtUp();
        }
        if (now >= nextNoDataCheck && caughtUp) {
            // silence is not judged while samples wait unread (the loop is behind), for at most no-data-after more
            if (samplesUnread() && (silenceDeferredSince == 0
                    || now - silenceDeferredSince < config.noDataAfter().toMillis())) {
                silenceDeferredSince = silenceDeferredSince == 0 ? now : silenceDeferredSince;
            } else if (config.noDataAbort()) {
                silenceDeferredSince = 0;
                nextNoDataCheck = now + config.noDataCheckInterval().toMillis();
                long judgedNanos = System.nanoTime();
                rules.silentRuns(Instant.ofEpochMilli(now)).forEach(a -> aborts.publish(a, judgedNanos));
            }
        }
        rules.verdicts().forEach(aborts::publishVerdict);
        watched = rules.size();
        if (now >= nextCommit) {
            nextCommit = now + config.commitInterval().toMillis();
            commit(false);
        }
    }

    /** Whether samples published to this replica's partitions wait unread. */
    private boolean samplesUnread() {
        for (TopicPartition tp : consumer.assignment()) {
            if (tp.topic().equals(Topics.METRICS)) {
                var lag = consumer.currentLag(tp);
                if (lag.isPresent() && lag.getAsLong() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Commits the positions of the sample partitions, once every abort decided so far is acknowledged. */
    private void commit(boolean sync) {
        if (aborts.inFlight() > 0) {
            return;
        }
        var offsets = new HashMap<TopicPartition, OffsetAndMetadata>();
        for (TopicPartition tp : consumer.assignment()) {
            if (tp.topic().equals(Topics.METRICS) && !catchingUp.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LOG.warnf("sample offsets not committed (the next commit retries): %s", e.toString());
                }
            });
        }
    }

    private void resumeSamplesWhenCaughtUp() {
        catchUpTo.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        if (catchUpTo.isEmpty()) {
            consumer.resume(catchingUp);
            LOG.infof("resumed judging samples of %s with %d runs watched", catchingUp, rules.size());
            catchingUp.clear();
            caughtUp = true;
        }
    }

    /** On every (eager) rebalance: drop the book, and rebuild it from the assigned partitions' runs. */
    private final class Rebuild implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(true);
            rules = newBook();
            catchingUp.clear();
            catchUpTo.clear();
            caughtUp = false;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            rules = newBook();
            long from = clock.millis() - config.runLookback().toMillis();
            var runTopics = new HashMap<TopicPartition, Long>();
            var samplePartitions = new ArrayList<TopicPartition>();
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(Topics.METRICS)) {
                    samplePartitions.add(tp);
                } else {
                    runTopics.put(tp, from);
                }
            }
            if (!runTopics.isEmpty()) {
                Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(runTopics);
                Map<TopicPartition, Long> ends = consumer.endOffsets(runTopics.keySet());
                for (TopicPartition tp : runTopics.keySet()) {
                    OffsetAndTimestamp start = starts.get(tp);
                    consumer.seek(tp, start == null ? ends.get(tp) : start.offset());
                    if (start != null && start.offset() < ends.get(tp)) {
                        catchUpTo.put(tp, ends.get(tp));
                    }
                }
            }
            consumer.pause(samplePartitions);
            catchingUp.addAll(samplePartitions);
            LOG.infof("assigned %s; rereading runs from %s", partitions, Instant.ofEpochMilli(from));
            resumeSamplesWhenCaughtUp();
        }
    }

    private RuleBook newBook() {
        return new RuleBook(new RuleBook.Settings(config.id(), config.noDataAfter(), config.lateTolerance(),
                config.futureTolerance(), globalGuards));
    }

    private static List<Condition> parseGuards(List<String> guards) {
        var mapper = TumultJson.configure(new ObjectMapper());
        var out = new ArrayList<Condition>();
        for (int i = 0; i < guards.size(); i++) {
            try {
                out.add(mapper.readValue(guards.get(i), Condition.class));
            } catch (Exception e) {
                throw new IllegalArgumentException("tumult.guardian.global-guards[" + i + "] is not a condition: "
                        + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    private Properties consumerProperties() {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.id());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        // Fetched records are handed out in arrival order, so when samples are backlogged a run-start can queue behind
        // up to one fetch of them (8 MB, about 25,000 samples, 50 ms of evaluation). Fetches of 512 kB / 2 MB cost
        // the co-located broker twice the CPU per sample and capped the loop near 420,000 samples/s (BENCHMARKS.md).
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 * 1024 * 1024));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        return p;
    }

    private Properties producerProperties() {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.id() + "-aborts");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }
}
