package io.tumult.executor.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;

/**
 * Decodes a record, hands it on, and acknowledges it once handled. A record that fails its schema, or whose handling
 * fails, is nacked: the channel's dead-letter strategy takes it and the consumer keeps going.
 */
final class Acks {

    private Acks() {
    }

    static <T> CompletionStage<Void> handle(Message<byte[]> message, EventType<T> type,
            Function<T, CompletionStage<Void>> handler) {
        T event;
        try {
            event = TumultJson.decode(type, message.getPayload());
        } catch (InvalidDocumentException e) {
            return message.nack(e);
        } catch (RuntimeException e) { // a codec bug, not bad input: dead-lettered all the same, never the end of the channel
            return message.nack(new IllegalArgumentException("undecodable " + type.javaType().getSimpleName()
                    + " record: " + e, e));
        }
        CompletionStage<Void> handled;
        try {
            handled = handler.apply(event);
        } catch (RuntimeException e) {
            handled = CompletableFuture.failedFuture(e);
        }
        return handled.handle((ok, failure) -> failure == null ? message.ack() : message.nack(failure))
                .thenCompose(stage -> stage);
    }
}
