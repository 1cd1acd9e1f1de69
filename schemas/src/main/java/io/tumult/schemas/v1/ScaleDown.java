package io.tumult.schemas.v1;

/**
 * Scales a Deployment or StatefulSet down for the run's duration; the revert restores its exact original replicas.
 *
 * @param replicas the replicas during the run; 0 when absent
 */
public record ScaleDown(Integer replicas) implements AttackSpec {

    public static final String KIND = "scale-down";

    public ScaleDown {
        replicas = replicas == null ? 0 : replicas;
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative: " + replicas);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
