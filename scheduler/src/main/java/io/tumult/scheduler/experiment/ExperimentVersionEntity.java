package io.tumult.scheduler.experiment;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One version of an experiment: who changed it, when, which fields, and the document as it then was. */
@Entity
@Table(name = "experiment_version")
@IdClass(ExperimentVersionEntity.Key.class)
public class ExperimentVersionEntity extends PanacheEntityBase {

    /** What a version did to its experiment. */
    public enum Change {
        CREATED,
        REPLACED,
        DELETED
    }

    @Id
    public String experiment;

    @Id
    public int version;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Change change;

    @Column(name = "changed_by", nullable = false)
    public String changedBy;

    @Column(name = "changed_at", nullable = false)
    public Instant changedAt;

    /** JSON paths that differ from the previous version, as a JSON array of strings. */
    @Column(name = "changed_paths", nullable = false)
    public String changedPaths;

    /** The document as of this version (canonical JSON); null for a deletion. */
    public String document;

    /** Composite key: experiment and version. */
    public static class Key implements Serializable {
        public String experiment;
        public int version;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.experiment, experiment);
        }

        @Override
        public int hashCode() {
            return Objects.hash(experiment, version);
        }
    }
}
