package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.scheduler.outbox.OutboxSink;
import io.tumult.schemas.v1.EventType;

/**
 * Publishes outbox events: run-starts on {@code tumult.runs.start}, aborts on {@code tumult.runs.abort}, keyed by run
 * id, CloudEvents set per channel. Completes when the broker acknowledged the record (acks=all).
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
        return Uni.createFrom().failure(new IllegalArgumentException("no channel publishes " + type.ceType()));
    }
}
