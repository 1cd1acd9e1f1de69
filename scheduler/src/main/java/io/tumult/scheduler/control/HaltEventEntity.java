package io.tumult.scheduler.control;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** A halt-all or its release, append-only: the latest row says whether a halt holds. */
@Entity
@Table(name = "halt_event")
public class HaltEventEntity extends PanacheEntityBase {

    public enum Kind {
        HALT,
        RELEASE
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Kind kind;

    @Column(name = "by_whom", nullable = false)
    public String byWhom;

    public String reason;

    @Column(nullable = false)
    public Instant at;

    /** The halt in force, or null; call inside a session. */
    public static Uni<HaltEventEntity> inForce() {
        return HaltEventEntity.<HaltEventEntity> find("order by id desc").firstResult()
                .map(latest -> latest != null && latest.kind == Kind.HALT ? latest : null);
    }
}
