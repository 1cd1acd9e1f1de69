package io.tumult.scheduler.experiment;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

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

    /**
     * Stored documents are read as they were stored: they were validated at submission, and a later, stricter schema
     * (or a field a later version dropped) must not stop an experiment from loading or firing. Failing belongs at
     * submission, not at fire time.
     */
    private static final ObjectMapper STORED = TumultJson.configure(JsonMapper.builder().build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The document as its record, read without re-validating it against today's schema. */
    public Experiment experiment() {
        try {
            return STORED.readValue(document, Experiment.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored experiment " + name + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    public void setExperiment(Experiment experiment) {
        this.document = new String(TumultJson.encode(experiment), java.nio.charset.StandardCharsets.UTF_8);
    }
}
