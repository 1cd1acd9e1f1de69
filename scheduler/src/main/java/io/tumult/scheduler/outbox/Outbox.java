package io.tumult.scheduler.outbox;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;

/**
 * Writes events to the outbox inside the caller's transaction, so an event exists exactly when the change it
 * announces was committed. {@link OutboxRelay} publishes them.
 */
@ApplicationScoped
public class Outbox {

    /** Adds {@code event} under {@code key}; {@code fireTime} is the cron fire time of a run-start, else null. */
    public <T> Uni<OutboxEntity> add(EventType<T> type, String key, T event, Instant fireTime, Instant now) {
        var row = new OutboxEntity();
        row.eventType = type.ceType();
        row.recordKey = key;
        row.payload = TumultJson.encode(event);
        row.fireTime = fireTime;
        row.createdAt = now;
        row.attempts = 1; // its writer publishes it right after the commit
        return row.persist();
    }
}
