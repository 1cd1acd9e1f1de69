package io.tumult.scheduler.hooks;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An accepted delivery, once: its key {@code <source>/<delivery id>} is unique across replicas. */
@Entity
@Table(name = "hook_delivery")
public class HookDeliveryEntity extends PanacheEntityBase {

    /** {@code <source>/<delivery id>}. */
    @Id
    public String delivery;

    @Column(name = "body_sha256", nullable = false)
    public String bodySha256;

    @Column(nullable = false)
    public String service;

    public String environment;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;
}
