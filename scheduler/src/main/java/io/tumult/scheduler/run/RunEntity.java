package io.tumult.scheduler.run;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.tumult.schemas.v1.Trigger;

/** One run of an experiment and where it stands. */
@Entity
@Table(name = "run")
public class RunEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String experiment;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Trigger trigger;

    @Column(name = "fire_time", nullable = false)
    public Instant fireTime;

    /** When the run's fault must be gone; a non-final run past it no longer blocks a Forbid schedule. */
    @Column(nullable = false)
    public Instant deadline;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public RunStatusValue status;

    /** Why the run ended as it did: the abort reason as JSON, or a sentence. */
    public String reason;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
