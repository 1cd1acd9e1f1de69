package io.tumult.scheduler.outbox;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One event to publish, written in the same transaction as the change it announces. */
@Entity
@Table(name = "outbox")
public class OutboxEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The event's CloudEvents type, which names its {@code EventType}. */
    @Column(name = "event_type", nullable = false)
    public String eventType;

    /** The record's key: the run id. */
    @Column(name = "record_key", nullable = false)
    public String recordKey;

    /** The event as Tumult JSON. */
    @Column(nullable = false)
    public byte[] payload;

    /** The cron fire time a run-start is for; null for every other event. Fire lag is measured from it. */
    @Column(name = "fire_time")
    public Instant fireTime;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** Publish attempts so far; more than one means the event may be on the topic twice (harmless by run id). */
    @Column(nullable = false)
    public int attempts;

    /** When a relay last took the row over; null while only its writer has tried. */
    @Column(name = "claimed_at")
    public Instant claimedAt;

    /** When the broker acknowledged it (acks=all); null until then. */
    @Column(name = "sent_at")
    public Instant sentAt;
}
