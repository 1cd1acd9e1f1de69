package io.tumult.executor.kubernetes;

import java.nio.file.Path;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Where a pod on this node lives in the kernel: its network namespace and its containers' main processes. The node
 * agent's one way from a pod to the things its in-pod faults act on. {@link ProcPodNamespaces} reads the host's
 * {@code /proc} (the DaemonSet has {@code hostPID}); tests map pods to network namespaces and processes they made.
 */
public interface PodNamespaces {

    /**
     * The pod's network namespace, as a file to enter ({@code /proc/<pid>/ns/net} of its sandbox).
     *
     * @throws io.tumult.executor.attack.AttackException TARGET_NOT_FOUND when no process of the pod runs here
     */
    Path netns(Pod pod);

    /**
     * The host pid of the main process of each of the pod's running containers here, by container name.
     *
     * @return an empty map when none of its containers runs here
     */
    Map<String, Long> containers(Pod pod);
}
