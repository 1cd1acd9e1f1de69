package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The parameters of one kind of fault. The {@code kind} property selects the variant; a switch over the
 * permitted records is exhaustive in every service. Adding a kind: a record here, an entry in
 * {@code @JsonSubTypes} and {@code permits}, its branch in {@code experiment.schema.json}, a fixture, and one
 * attack class in the executor.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = NetworkLoss.class, name = NetworkLoss.KIND),
        @JsonSubTypes.Type(value = PodKill.class, name = PodKill.KIND),
        @JsonSubTypes.Type(value = NetworkPartition.class, name = NetworkPartition.KIND),
        @JsonSubTypes.Type(value = NetworkDuplicate.class, name = NetworkDuplicate.KIND),
        @JsonSubTypes.Type(value = NetworkBandwidth.class, name = NetworkBandwidth.KIND),
        @JsonSubTypes.Type(value = NetworkLatency.class, name = NetworkLatency.KIND),
        @JsonSubTypes.Type(value = NetworkBlackhole.class, name = NetworkBlackhole.KIND),
        @JsonSubTypes.Type(value = DnsFailure.class, name = DnsFailure.KIND),
        @JsonSubTypes.Type(value = CpuStress.class, name = CpuStress.KIND),
        @JsonSubTypes.Type(value = MemoryStress.class, name = MemoryStress.KIND),
        @JsonSubTypes.Type(value = DiskFill.class, name = DiskFill.KIND),
        @JsonSubTypes.Type(value = IoStress.class, name = IoStress.KIND),
        @JsonSubTypes.Type(value = ProcessKill.class, name = ProcessKill.KIND),
        @JsonSubTypes.Type(value = ContainerKill.class, name = ContainerKill.KIND),
        @JsonSubTypes.Type(value = PodFailure.class, name = PodFailure.KIND),
        @JsonSubTypes.Type(value = ScaleDown.class, name = ScaleDown.KIND),
        @JsonSubTypes.Type(value = NodeDrain.class, name = NodeDrain.KIND),
        @JsonSubTypes.Type(value = NetworkPolicyPartition.class, name = NetworkPolicyPartition.KIND) })
public sealed interface AttackSpec permits NetworkLoss, PodKill, NetworkPartition, NetworkDuplicate, NetworkBandwidth,
        NetworkLatency, NetworkBlackhole, DnsFailure, CpuStress, MemoryStress, DiskFill, IoStress, ProcessKill, ContainerKill,
        PodFailure, ScaleDown, NodeDrain, NetworkPolicyPartition {

    /** Wire name of the kind, also the JSON discriminator. */
    @JsonIgnore
    String kind();
}
