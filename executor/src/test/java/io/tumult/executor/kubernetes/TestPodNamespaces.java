package io.tumult.executor.kubernetes;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Pods standing for themselves on this machine, which has no kubelet: each maps to a network namespace and to
 * processes a test made. The other implementation of the lookup, beside {@link ProcPodNamespaces}.
 */
public final class TestPodNamespaces implements PodNamespaces {

    private final Map<String, Path> netns = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> containers = new ConcurrentHashMap<>();

    /** Pod {@code namespace/name} lives in the named network namespace {@code netnsName}. */
    public TestPodNamespaces network(String pod, String netnsName) {
        netns.put(pod, Path.of("/run/netns", netnsName));
        return this;
    }

    /** Pod {@code namespace/name}'s network namespace is entered through {@code path} (a process's, say). */
    public TestPodNamespaces network(String pod, Path path) {
        netns.put(pod, path);
        return this;
    }

    /** Pod {@code namespace/name}'s containers' main processes, by container name. */
    public TestPodNamespaces containers(String pod, Map<String, Long> mains) {
        containers.put(pod, Map.copyOf(mains));
        return this;
    }

    @Override
    public Path netns(Pod pod) {
        Path path = netns.get(KubernetesTargets.key(pod));
        if (path == null) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "pod " + KubernetesTargets.key(pod)
                    + " has no process on this node");
        }
        return path;
    }

    @Override
    public Map<String, Long> containers(Pod pod) {
        return containers.getOrDefault(KubernetesTargets.key(pod), Map.of());
    }
}
