package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import org.eclipse.microprofile.reactive.messaging.Message;

/** Acknowledges a record once its handling completed, or nacks it with the failure. */
final class Acks {

    private Acks() {
    }

    static CompletionStage<Void> after(Message<?> message, CompletionStage<Void> handling) {
        return handling.handle((ok, failure) -> failure == null ? message.ack() : message.nack(failure))
                .thenCompose(stage -> stage);
    }
}
