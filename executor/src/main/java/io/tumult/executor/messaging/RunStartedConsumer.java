package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.executor.run.RunEngine;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStarted;

/** Run-starts from the scheduler. An invalid one, or one that fails, goes to the dead-letter topic ({@link Inbound}). */
@ApplicationScoped
public class RunStartedConsumer {

    private final RunEngine engine;
    private final Inbound<RunStarted> starts = Inbound.of(EventType.RUN_STARTED);

    RunStartedConsumer(RunEngine engine) {
        this.engine = engine;
    }

    @Incoming("run-start")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return starts.handle(message, engine::start);
    }
}
