package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStatus;

/**
 * Run statuses from executors, recorded as each run's history. An invalid record, or one that cannot be recorded, goes
 * to the dead-letter topic ({@link Inbound}).
 */
@ApplicationScoped
public class RunStatusConsumer {

    private final RunHistory history;
    private final Inbound<RunStatus> statuses = Inbound.of(EventType.RUN_STATUS);

    RunStatusConsumer(RunHistory history) {
        this.history = history;
    }

    @Incoming("run-status")
    public Uni<Void> consume(Message<byte[]> message) {
        // lazily: recorded when SmallRye subscribes, on the message's context, as Hibernate Reactive needs
        return Uni.createFrom().completionStage(() -> statuses.handle(message,
                status -> history.record(status).subscribeAsCompletionStage()));
    }
}
