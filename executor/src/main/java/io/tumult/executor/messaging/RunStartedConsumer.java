package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.executor.run.RunEngine;
import io.tumult.schemas.v1.EventType;

/** Run-starts from the scheduler. An invalid record is nacked, so it goes to the dead-letter topic. */
@ApplicationScoped
public class RunStartedConsumer {

    private final RunEngine engine;

    RunStartedConsumer(RunEngine engine) {
        this.engine = engine;
    }

    @Incoming("run-start")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return Acks.handle(message, EventType.RUN_STARTED, engine::start);
    }
}
