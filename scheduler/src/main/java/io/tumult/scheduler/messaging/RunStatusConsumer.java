package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStatus;

/** Run statuses from executors, recorded as each run's history. Invalid records go to the dead-letter topic. */
@ApplicationScoped
public class RunStatusConsumer {

    private final RunHistory history;

    RunStatusConsumer(RunHistory history) {
        this.history = history;
    }

    @Incoming("run-status")
    public Uni<Void> consume(Message<byte[]> message) {
        RunStatus status;
        try {
            status = TumultJson.decode(EventType.RUN_STATUS, message.getPayload());
        } catch (InvalidDocumentException e) {
            return Uni.createFrom().completionStage(message.nack(e));
        }
        return history.record(status).onItemOrFailure().transformToUni((ok, failure) -> Uni.createFrom()
                .completionStage(failure == null ? message.ack() : message.nack(failure)));
    }
}
