package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What an attack acts on. The {@code kind} property selects the variant; a switch over the
 * permitted records is exhaustive in every service.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PodTarget.class, name = PodTarget.KIND),
        @JsonSubTypes.Type(value = NetworkNamespaceTarget.class, name = NetworkNamespaceTarget.KIND),
        @JsonSubTypes.Type(value = CgroupTarget.class, name = CgroupTarget.KIND),
        @JsonSubTypes.Type(value = ProcessTarget.class, name = ProcessTarget.KIND),
        @JsonSubTypes.Type(value = WorkloadTarget.class, name = WorkloadTarget.KIND),
        @JsonSubTypes.Type(value = NodeTarget.class, name = NodeTarget.KIND) })
public sealed interface Target permits PodTarget, NetworkNamespaceTarget, CgroupTarget, ProcessTarget, WorkloadTarget,
        NodeTarget {

    /** Wire name of the variant, also the JSON discriminator. */
    @JsonIgnore
    String kind();
}
