package io.tumult.scheduler.hooks;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One run a delivery asks for, of one matched experiment. Its run id is derived from the delivery and the experiment,
 * so however many replicas fire it, it is one run.
 */
@Entity
@Table(name = "hook_run")
public class HookRunEntity extends PanacheEntityBase {

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Column(nullable = false)
    public String delivery;

    @Column(nullable = false)
    public String experiment;

    /** The deploy's time plus the trigger's delay. */
    @Column(name = "due_at", nullable = false)
    public Instant dueAt;

    /** null until fired; then {@code started}, or why it was not. */
    public String outcome;

    @Column(name = "fired_at")
    public Instant firedAt;
}
