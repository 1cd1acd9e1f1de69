package io.tumult.guardian.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tumult.guardian.config.GuardianConfig;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;

/**
 * Every run in progress, whichever replica evaluates it, read from the topics: a plain group-less consumer
 * ({@code assign()}, nothing committed) follows every partition of the run-start and run-status topics from
 * {@link GuardianConfig#runLookback()} ago. An alert that names an experiment or a namespace must abort all its runs,
 * while a replica's {@code RuleBook} only holds the runs of its partitions; this view is what every replica can answer
 * from alone. It keeps no rule state: the evaluator's view of its runs stays in the {@code RuleBook}.
 * <p>
 * A run leaves at its terminal status, or a minute after its deadline if its end is never heard of (as in the rule
 * book). A status read before its start (the topics are read side by side) still ends it. Records that are not valid
 * are skipped here: the evaluating loop dead-letters them.
 */
@ApplicationScoped
public class LiveRunFeed implements LiveRuns {

    private static final Logger LOG = Logger.getLogger(LiveRunFeed.class);
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final int ENDED_REMEMBERED = 100_000;

    private final GuardianConfig config;
    private final String bootstrapServers;
    private final Map<UUID, LiveRun> runs = new ConcurrentHashMap<>();
    /** Runs whose terminal status was read, so that a start read after it does not revive them; bounded. */
    private final Map<UUID, Boolean> ended = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > ENDED_REMEMBERED;
        }
    };
    /** Next offset per partition, so that a reconnect resumes where it stopped. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** The end of the start-up replay: the view is complete once every partition is read up to it. */
    private final Map<TopicPartition, Long> replayEnd = new HashMap<>();

    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    LiveRunFeed(GuardianConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "guardian-live-runs");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    @Override
    public List<LiveRun> live(Instant now) {
        runs.values().removeIf(run -> now.isAfter(run.deadline().plus(GRACE)));
        return List.copyOf(runs.values());
    }

    @Override
    public boolean complete() {
        return caughtUp;
    }

    private void run() {
        while (running) {
            try (var c = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                // stop() asked
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("live-run feed lost Kafka (%s); reconnecting", e.toString());
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            } finally {
                consumer = null;
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        var partitions = new ArrayList<TopicPartition>();
        for (String topic : List.of(Topics.RUN_START, Topics.RUN_STATUS)) {
            var infos = c.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (yet)");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        c.assign(partitions);
        if (next.isEmpty()) {
            var since = new HashMap<TopicPartition, Long>();
            long from = Instant.now().minus(config.runLookback()).toEpochMilli();
            partitions.forEach(p -> since.put(p, from));
            Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(since);
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp at = found.get(p);
                if (at == null) {
                    c.seekToEnd(List.of(p));
                } else {
                    c.seek(p, at.offset());
                }
            }
            replayEnd.putAll(c.endOffsets(partitions));
        } else {
            next.forEach(c::seek);
        }
        while (running) {
            for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(100))) {
                handle(record);
                next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            if (!caughtUp && replayEnd.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                LOG.infof("live-run feed caught up: %d runs in progress", runs.size());
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(Topics.RUN_START)) {
                RunStarted start = TumultJson.decode(EventType.RUN_STARTED, record.value());
                if (!ended.containsKey(start.runId()) && Instant.now().isBefore(start.deadline().plus(GRACE))) {
                    runs.putIfAbsent(start.runId(), LiveRun.of(start));
                }
            } else {
                RunStatus status = TumultJson.decode(EventType.RUN_STATUS, record.value());
                if (status.phase().terminal()) {
                    ended.put(status.runId(), Boolean.TRUE);
                    runs.remove(status.runId());
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("live-run feed skipped an invalid record on %s@%d: %s", record.topic(), record.offset(),
                    e.getMessage());
        }
    }

    private Properties consumerProperties() {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.id() + "-live-runs");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // no group: nothing to commit to
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }
}
