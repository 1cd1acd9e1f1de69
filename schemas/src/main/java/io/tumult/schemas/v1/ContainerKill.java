package io.tumult.schemas.v1;

/**
 * Kills a container of each target pod (its main process, SIGKILL, by the node agent on the pod's node). One-shot:
 * the kubelet restarts the container, so there is nothing to revert.
 *
 * @param container the container's name; null means every container of the pod
 */
public record ContainerKill(String container) implements AttackSpec {

    public static final String KIND = "container-kill";

    @Override
    public String kind() {
        return KIND;
    }
}
