package io.tumult.scheduler.run;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One step of a run as an executor reported it. */
@Entity
@Table(name = "run_event")
public class RunEventEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "run_id", nullable = false)
    public UUID runId;

    @Column(nullable = false)
    public String phase;

    @Column(nullable = false)
    public Instant at;

    @Column(nullable = false)
    public String executor;

    @Column(nullable = false)
    public String message;

    /** The abort reason as JSON, when the step was an abort. */
    public String detail;

    @Column(name = "recorded_at", nullable = false)
    public Instant recordedAt;
}
