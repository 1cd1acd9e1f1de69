package io.tumult.schemas.v1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One named workload (a Deployment or a StatefulSet) in one Kubernetes namespace.
 *
 * @param namespace Kubernetes namespace of the workload
 * @param resource which kind of workload
 * @param name the workload's name
 */
public record WorkloadTarget(String namespace, Resource resource, String name) implements Target {

    public static final String KIND = "workload";

    /** The kinds of workload Tumult scales. */
    public enum Resource {
        @JsonProperty("deployment")
        DEPLOYMENT,
        @JsonProperty("statefulset")
        STATEFULSET
    }

    public WorkloadTarget {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String kind() {
        return KIND;
    }
}
