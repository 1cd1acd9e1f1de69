package io.tumult.guardian.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Timer;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.GuardianHeartbeat;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * Publishes aborts on {@code tumult.runs.abort}, keyed by run id, as CloudEvents in binary mode. Sending never blocks
 * the evaluating thread: the producer sends in the background, and an abort whose send failed is queued to be sent
 * again ({@link #retryFailed}) until it lands. {@link #inFlight()} tells the loop when all aborts are acknowledged,
 * so it commits samples only behind their aborts. Aborts decided outside the evaluator (alerts) go through the same
 * producer and retries, and tell their caller when they landed. Steady-state verdicts go out on
 * {@code tumult.runs.verdicts} the same way (an executor refuses a run whose verdict does not come in time, so a
 * verdict is retried like an abort).
 * <p>
 * Heartbeats go out through the same producer: a heartbeat acknowledged shows executors a guardian whose abort path
 * works.
 */
final class AbortPublisher {

    private static final Logger LOG = Logger.getLogger(AbortPublisher.class);
    private static final byte[] SOURCE = "/tumult/guardian".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TYPE = EventType.RUN_ABORTED.ceType().getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT_TYPE = EventType.GUARDIAN_HEARTBEAT.ceType()
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] VERDICT_TYPE = EventType.STEADY_STATE_VERDICT.ceType()
            .getBytes(StandardCharsets.UTF_8);

    private final KafkaProducer<String, byte[]> producer;
    private final Timer breachToAbort;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Pending> failed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SteadyStateVerdict> failedVerdicts = new ConcurrentLinkedQueue<>();

    /** An abort to send; {@code timer} null for an abort not decided by the evaluator, {@code acked} null if none waits. */
    private record Pending(RunAborted abort, long receivedNanos, Timer timer, CompletableFuture<Void> acked) {
    }

    AbortPublisher(KafkaProducer<String, byte[]> producer, Timer breachToAbort) {
        this.producer = producer;
        this.breachToAbort = breachToAbort;
    }

    /**
     * Sends {@code abort}, filling in the guardian's latency since {@code receivedNanos} (when the deciding record
     * was received, or silence judged).
     */
    void publish(RunAborted abort, long receivedNanos) {
        double latencyMs = (System.nanoTime() - receivedNanos) / 1e6;
        var stamped = new RunAborted(abort.runId(), abort.source(), abort.issuedAt(),
                abort.reason().withGuardianLatencyMs(Math.round(latencyMs * 1000) / 1000.0));
        send(new Pending(stamped, receivedNanos, breachToAbort, null));
    }

    /**
     * Sends an abort decided outside the evaluator (an alert): not timed as a breach; completes once the broker has
     * it (after retries, if sending fails).
     */
    CompletableFuture<Void> publishDecided(RunAborted abort) {
        var acked = new CompletableFuture<Void>();
        send(new Pending(abort, System.nanoTime(), null, acked));
        return acked;
    }

    /** Sends a steady-state verdict; one whose send fails is sent again by {@link #retryFailed}. */
    void publishVerdict(SteadyStateVerdict verdict) {
        LOG.infof("runId=%s %s", verdict.runId(), verdict.message());
        var record = new ProducerRecord<String, byte[]>(EventType.STEADY_STATE_VERDICT.topic(),
                verdict.runId().toString(), TumultJson.encode(verdict));
        cloudEvent(record.headers(), VERDICT_TYPE);
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                LOG.errorf("runId=%s steady-state verdict not published, sending again: %s", verdict.runId(), error);
                failedVerdicts.add(verdict);
            }
        });
    }

    /**
     * Does ahead what the first abort and the first verdict would otherwise do on their way out: builds their JSON
     * serializers (12-32 ms on a first abort, measured) and fetches their topics' metadata (8-16 ms). Sends nothing. Blocking,
     * for up to the producer's
     * {@code max.block.ms} if a topic does not exist: never on the evaluating thread.
     */
    void warmUp() {
        var condition = new Condition("warm_up", Comparison.GT, 1, Duration.ofSeconds(1), Aggregation.AVG, null, null,
                NoData.BREACH, null);
        TumultJson.encode(new RunAborted(new UUID(0, 0).toString(), "guardian", Instant.EPOCH, new AbortReason(
                AbortKind.AUTO_ABORT, "warm-up", condition, 2.0, 1, Instant.EPOCH, Instant.EPOCH, 0.0)));
        TumultJson.encode(new SteadyStateVerdict(new UUID(0, 0), "warm-up", false, Instant.EPOCH, "guardian",
                "warm-up", condition, 2.0));
        producer.partitionsFor(EventType.RUN_ABORTED.topic());
        producer.partitionsFor(EventType.STEADY_STATE_VERDICT.topic());
    }

    /** Sends {@code beat}; completes once the broker has it, or fails. Not sent again: the next beat replaces it. */
    CompletableFuture<Void> publishHeartbeat(GuardianHeartbeat beat) {
        var record = new ProducerRecord<String, byte[]>(EventType.GUARDIAN_HEARTBEAT.topic(), beat.guardianId(),
                TumultJson.encode(beat));
        cloudEvent(record.headers(), HEARTBEAT_TYPE);
        var acked = new CompletableFuture<Void>();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                acked.complete(null);
            } else {
                acked.completeExceptionally(error);
            }
        });
        return acked;
    }

    /** Sends again the aborts and verdicts whose send failed; called from the loop. */
    void retryFailed() {
        Pending p;
        while ((p = failed.poll()) != null) {
            inFlight.decrementAndGet();
            send(p);
        }
        SteadyStateVerdict v;
        while ((v = failedVerdicts.poll()) != null) {
            publishVerdict(v);
        }
    }

    /** Aborts sent and not yet acknowledged, or failed and waiting to be sent again. */
    int inFlight() {
        return inFlight.get();
    }

    private void send(Pending p) {
        RunAborted abort = p.abort;
        LOG.infof("runId=%s abort: %s", abort.runId(), abort.reason().message());
        var record = new ProducerRecord<String, byte[]>(EventType.RUN_ABORTED.topic(), abort.runId(),
                TumultJson.encode(abort));
        cloudEvent(record.headers(), TYPE);
        inFlight.incrementAndGet();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                if (p.timer != null) {
                    p.timer.record(System.nanoTime() - p.receivedNanos, TimeUnit.NANOSECONDS);
                }
                inFlight.decrementAndGet();
                if (p.acked != null) {
                    p.acked.complete(null);
                }
            } else {
                LOG.errorf("runId=%s abort not published, sending again: %s", abort.runId(), error);
                failed.add(p); // still counted in flight until sent again
            }
        });
    }

    private static void cloudEvent(Headers headers, byte[] type) {
        headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_id", java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        headers.add("ce_type", type);
        headers.add("ce_source", SOURCE);
        headers.add("ce_time", java.time.Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
    }
}
