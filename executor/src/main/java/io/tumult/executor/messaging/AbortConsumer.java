package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.executor.run.RunEngine;
import io.tumult.schemas.v1.EventType;

/**
 * Aborts from the guardian, people and alert bridges. Every executor must see every abort (the run may be on any of
 * them, or not started yet), so this channel uses a consumer group of its own per instance and reads the compacted
 * topic from the beginning: aborts issued while this executor was down still refuse their late starts.
 */
@ApplicationScoped
public class AbortConsumer {

    private final RunEngine engine;

    AbortConsumer(RunEngine engine) {
        this.engine = engine;
    }

    @Incoming("abort")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return Acks.handle(message, EventType.RUN_ABORTED, engine::abort);
    }
}
