package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tumult.scheduler.outbox.OutboxSink;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.SchedulerStarted;

/**
 * Publishes outbox events: run-starts on {@code tumult.runs.start}; aborts (keyed by run id, or {@code *} for a
 * halt-all) and halt releases (keyed {@code *}, with their own CloudEvents type) on {@code tumult.runs.abort}; the
 * other CloudEvents attributes are set per channel. Completes when the broker acknowledged the record (acks=all). Also sends
 * the
 * replica's {@link SchedulerStarted} through the run-start channel ({@link StartAnnouncer}).
 */
@ApplicationScoped
public class OutboxPublisher implements OutboxSink {

    private final MutinyEmitter<Record<String, byte[]>> runStart;
    private final MutinyEmitter<Record<String, byte[]>> abort;

    OutboxPublisher(@Channel("run-start") MutinyEmitter<Record<String, byte[]>> runStart,
            @Channel("abort") MutinyEmitter<Record<String, byte[]>> abort) {
        this.runStart = runStart;
        this.abort = abort;
    }

    @Override
    public Uni<Void> send(EventType<?> type, String key, byte[] payload) {
        if (type.equals(EventType.RUN_STARTED)) {
            return runStart.send(Record.of(key, payload));
        }
        if (type.equals(EventType.RUN_ABORTED)) {
            return abort.send(Record.of(key, payload));
        }
        if (type.equals(EventType.HALT_RELEASED)) {
            return abort.sendMessage(Message.of(Record.of(key, payload))
                    .addMetadata(OutgoingCloudEventMetadata.builder().withType(type.ceType()).build()));
        }
        return Uni.createFrom().failure(new IllegalArgumentException("no channel publishes " + type.ceType()));
    }

    /**
     * Sends {@code started} through the run-start channel to its own topic, with its own CloudEvents type: the same
     * producer and send path as a run-start, which this first send opens and loads.
     */
    Uni<Void> announce(SchedulerStarted started) {
        EventType<SchedulerStarted> type = EventType.SCHEDULER_STARTED;
        return runStart.sendMessage(Message.of(Record.of(started.replica(), TumultJson.encode(started)))
                .addMetadata(OutgoingKafkaRecordMetadata.builder().withTopic(type.topic()).build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withType(type.ceType()).build()));
    }
}
