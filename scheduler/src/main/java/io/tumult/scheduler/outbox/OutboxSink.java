package io.tumult.scheduler.outbox;

import io.smallrye.mutiny.Uni;
import io.tumult.schemas.v1.EventType;

/** Where outbox events go; completes once the broker has acknowledged the record (acks=all). */
public interface OutboxSink {

    Uni<Void> send(EventType<?> type, String key, byte[] payload);
}
