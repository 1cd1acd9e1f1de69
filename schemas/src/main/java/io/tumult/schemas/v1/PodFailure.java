package io.tumult.schemas.v1;

/**
 * Makes each target pod unavailable for the run's duration, then restores it: every container's image is replaced by
 * a pause image (the kubelet restarts the containers with it, so they run but serve nothing), and the original images
 * are put back at the revert. The pod object stays, so its controller does not replace it.
 */
public record PodFailure() implements AttackSpec {

    public static final String KIND = "pod-failure";

    @Override
    public String kind() {
        return KIND;
    }
}
