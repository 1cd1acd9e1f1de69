package io.tumult.scheduler.run;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.tumult.schemas.v1.Trigger;

/**
 * One run of an experiment and where it stands. An update writes only the columns it changed: the status consumer,
 * the verdict consumer and a person's abort change different columns of one row and must not undo each other.
 */
@Entity
@Table(name = "run")
@DynamicUpdate
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

    /** Why the run ended as it did, in one sentence (for an abort, its reason's message). */
    public String reason;

    /** The reason in a word, for machines: an {@code AbortKind} or {@code StatusReason} in its wire form. */
    @Column(name = "reason_kind")
    public String reasonKind;

    /** The abort's reason, the {@code AbortReason} record as JSON (always JSON), when the run was aborted. */
    @Column(name = "abort_reason")
    public String abortReason;

    /** Who or what started the run: {@code cron}, {@code user:<name>}, {@code hook:<source>/<delivery id>}. */
    @Column(name = "triggered_by")
    public String triggeredBy;

    /** Who or what asked for the run's abort: {@code user:<name>}, {@code guardian}, {@code halt-all by ...}. */
    @Column(name = "aborted_by")
    public String abortedBy;

    @Column(name = "abort_requested_at")
    public Instant abortRequestedAt;

    /**
     * How long after its revert the run waits for the guardian's verdict on its steady state; null when its experiment
     * has no steady state to judge (it passes at its revert).
     */
    @Column(name = "verdict_wait_ms")
    public Long verdictWaitMillis;

    /** When the scheduler read that the run's fault was reverted at its deadline; null before. */
    @Column(name = "reverted_at")
    public Instant revertedAt;

    /** An after-revert verdict (a {@code SteadyStateVerdict} as JSON) read before the revert, applied once it is read. */
    @Column(name = "early_verdict")
    public String earlyVerdict;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
