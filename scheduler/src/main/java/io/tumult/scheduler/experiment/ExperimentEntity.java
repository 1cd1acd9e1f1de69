package io.tumult.scheduler.experiment;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.Experiment;

/** A stored experiment: its name and its document as canonical JSON. */
@Entity
@Table(name = "experiment")
public class ExperimentEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(nullable = false)
    public String document;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The document as its record (it was validated when stored). */
    public Experiment experiment() {
        return TumultJson.decodeExperiment(document);
    }

    public void setExperiment(Experiment experiment) {
        this.document = new String(TumultJson.encode(experiment), java.nio.charset.StandardCharsets.UTF_8);
    }
}
