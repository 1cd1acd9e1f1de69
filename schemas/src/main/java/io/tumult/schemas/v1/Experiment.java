package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * The experiment document, Kubernetes-shaped so it can later become a CRD and live in Git.
 * Submitted as YAML or JSON; both follow {@code experiment.schema.json}.
 *
 * @param apiVersion always {@link #API_VERSION}
 * @param kind always {@link #KIND}
 * @param metadata name and labels
 * @param spec what to break, how, for how long, and when to stop
 */
public record Experiment(String apiVersion, String kind, ObjectMeta metadata, ExperimentSpec spec) {

    public static final String API_VERSION = "tumult.io/v1";
    public static final String KIND = "Experiment";
    public static final String SCHEMA = "experiment.schema.json";

    public Experiment {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(spec, "spec");
        apiVersion = apiVersion == null ? API_VERSION : apiVersion;
        kind = kind == null ? KIND : kind;
    }

    /** The experiment's unique name. */
    public String name() {
        return metadata.name();
    }
}
