package io.tumult.scheduler.messaging;

import java.net.URI;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tumult.scheduler.control.AbortSink;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;

/**
 * Publishes on {@code tumult.runs.abort}: aborts keyed by run id or {@code *}, and halt releases keyed {@code *} under
 * their own CloudEvents type (the channel's is the abort's).
 */
@ApplicationScoped
public class AbortPublisher implements AbortSink {

    private static final URI SOURCE = URI.create("/tumult/scheduler");

    private final MutinyEmitter<byte[]> emitter;

    AbortPublisher(@Channel("abort") MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    @Override
    public Uni<Void> publish(RunAborted abort) {
        return emitter.sendMessage(Message.of(TumultJson.encode(abort))
                .addMetadata(OutgoingKafkaRecordMetadata.<String> builder().withKey(abort.runId()).build()));
    }

    @Override
    public Uni<Void> publish(HaltReleased release) {
        return emitter.sendMessage(Message.of(TumultJson.encode(release))
                .addMetadata(OutgoingKafkaRecordMetadata.<String> builder().withKey(HaltReleased.KEY).build())
                .addMetadata(OutgoingCloudEventMetadata.builder().withId(UUID.randomUUID().toString())
                        .withSource(SOURCE).withType(EventType.HALT_RELEASED.ceType()).build()));
    }
}
