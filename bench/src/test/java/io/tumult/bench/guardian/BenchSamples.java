package io.tumult.bench.guardian;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.tumult.local.EventClient;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/** What the guardian benches feed it: watched runs whose rules never trip, and their samples in bulk. */
public final class BenchSamples {

    /** The metric every bench run watches. */
    static final String METRIC = "bench_latency_ms";

    private BenchSamples() {
    }

    /**
     * Publishes {@code count} runs, each watching {@link #METRIC} with an avg, a max, a p99 and a rate rule that
     * healthy samples (values 0..99) never trip; no data is ignored so that a pause in the load aborts nothing.
     */
    static List<UUID> startHealthyRuns(EventClient events, int count, String experiment) {
        var runs = new ArrayList<UUID>();
        var w = Duration.ofSeconds(10);
        List<Condition> rules = List.of(
                new Condition(METRIC, Comparison.GT, 1e9, w, Aggregation.AVG, null, null, NoData.IGNORE, null),
                new Condition(METRIC, Comparison.GT, 1e9, w, Aggregation.MAX, null, null, NoData.IGNORE, null),
                new Condition(METRIC, Comparison.GT, 1e9, w, Aggregation.P99, null, null, NoData.IGNORE, null),
                new Condition(METRIC, Comparison.GT, 1e12, w, Aggregation.RATE, null, null, NoData.IGNORE, null));
        for (int i = 0; i < count; i++) {
            UUID run = UUID.randomUUID();
            var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("bench"), new NetworkLoss(1),
                    Duration.ofHours(2), null, null, rules, null);
            events.publish(EventType.RUN_STARTED, run.toString(),
                    new RunStarted(run, experiment, Trigger.MANUAL, Instant.now(), spec), "/bench");
            runs.add(run);
        }
        return runs;
    }

    /** A producer tuned for bulk: batches, no compression (the broker shares the two cores). */
    static KafkaProducer<String, byte[]> bulkProducer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer());
    }

    /** One sample of {@link #METRIC} for {@code run}, as a producer writes it. */
    static ProducerRecord<String, byte[]> sample(UUID run, String runText, double value, Instant at) {
        return sample(METRIC, runText, value, at);
    }

    /** One sample of {@code metric} for the run {@code runText}, as a producer writes it. */
    public static ProducerRecord<String, byte[]> sample(String metric, String runText, double value, Instant at) {
        String json = "{\"name\":\"" + metric + "\",\"value\":" + value + ",\"at\":\"" + at + "\",\"runId\":\""
                + runText + "\"}"; // concatenated, not formatted: the load generator shares the cores
        var record = new ProducerRecord<String, byte[]>(Topics.METRICS, runText,
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        EventClient.cloudEventHeaders(record.headers(), EventType.METRIC_SAMPLE.ceType(), "/bench");
        return record;
    }
}
