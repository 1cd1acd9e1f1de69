package io.tumult.schemas.v1;

/**
 * Cordons each target node and evicts its pods through the Eviction API, so PodDisruptionBudgets are respected (a
 * pod its budget protects stays, and the status says so); DaemonSet and mirror pods stay. The revert uncordons the
 * node, unless it was cordoned before the run.
 *
 * @param gracePeriodSeconds grace period of each eviction; null means each pod's own
 */
public record NodeDrain(Integer gracePeriodSeconds) implements AttackSpec {

    public static final String KIND = "node-drain";

    public NodeDrain {
        if (gracePeriodSeconds != null && gracePeriodSeconds < 0) {
            throw new IllegalArgumentException("gracePeriodSeconds must not be negative: " + gracePeriodSeconds);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
