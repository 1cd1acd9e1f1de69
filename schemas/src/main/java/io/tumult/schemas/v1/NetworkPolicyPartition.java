package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Cuts the target pods off with a Kubernetes NetworkPolicy created for the run (denying all ingress, egress or both)
 * and deleted at the revert. Takes effect only where the cluster's network plugin enforces NetworkPolicies.
 *
 * @param direction which traffic is denied; both when absent
 */
public record NetworkPolicyPartition(Direction direction) implements AttackSpec {

    public static final String KIND = "network-policy-partition";

    /** Which traffic a partition denies. */
    public enum Direction {
        @JsonProperty("ingress")
        INGRESS,
        @JsonProperty("egress")
        EGRESS,
        @JsonProperty("both")
        BOTH
    }

    public NetworkPolicyPartition {
        direction = direction == null ? Direction.BOTH : direction;
    }

    @Override
    public String kind() {
        return KIND;
    }
}
