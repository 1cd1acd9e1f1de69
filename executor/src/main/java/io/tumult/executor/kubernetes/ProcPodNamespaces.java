package io.tumult.executor.kubernetes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Finds a pod's processes through the host's {@code /proc}, as chaos-mesh's chaos-daemon does, by the cgroup each
 * process is in: the kubelet puts a pod's processes under a cgroup named after the pod's UID ({@code pod<uid>} with
 * the cgroupfs driver, {@code pod<uid with _>} with systemd's), and each container's under one named after its
 * container id ({@code containerd://<id>} or {@code cri-o://<id>} in the pod's status, as both runtimes name their
 * containers' cgroups); needs {@code hostPID}.
 * <ul>
 * <li>The pod's network namespace is its sandbox's, the oldest of its processes (the pause process, where the runtime
 * has one); the attacks know it by its inode from then on, so a process that goes away does not lose it.</li>
 * <li>A container's main process is the one of its cgroup whose parent is outside it (the runtime's shim).</li>
 * </ul>
 * What this machine cannot show: a kubelet's cgroup tree. {@code ProcPodNamespacesTest} runs it over a {@code /proc}
 * laid out as a kubelet's would be.
 */
public final class ProcPodNamespaces implements PodNamespaces {

    private final Path proc;

    /** Reads {@code proc} ({@code /proc} on a node; a copy of its layout in tests). */
    public ProcPodNamespaces(Path proc) {
        this.proc = proc;
    }

    @Override
    public Path netns(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "pod " + KubernetesTargets.key(pod) + " has no uid");
        }
        Set<String> marks = Set.of("pod" + uid, "pod" + uid.replace('-', '_'));
        List<Proc> processes = processes(cgroup -> marks.stream().anyMatch(cgroup::contains));
        Proc sandbox = processes.stream().min(java.util.Comparator.comparingLong(Proc::startTime)
                .thenComparingLong(Proc::pid)).orElseThrow(
                        () -> new AttackException(Reason.TARGET_NOT_FOUND,
                                "pod " + KubernetesTargets.key(pod) + " has no process on this node"));
        return proc.resolve(Long.toString(sandbox.pid())).resolve("ns").resolve("net");
    }

    @Override
    public Map<String, Long> containers(Pod pod) {
        var mains = new LinkedHashMap<String, Long>();
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return mains;
        }
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
            String id = status.getContainerID();
            if (id == null || !id.contains("://") || status.getState() == null
                    || status.getState().getRunning() == null) {
                continue;
            }
            String bare = id.substring(id.indexOf("://") + 3);
            List<Proc> processes = processes(cgroup -> cgroup.contains(bare));
            Set<Long> pids = processes.stream().map(Proc::pid).collect(Collectors.toSet());
            processes.stream().filter(p -> !pids.contains(p.parent())).map(Proc::pid).min(Long::compare)
                    .ifPresent(pid -> mains.put(status.getName(), pid));
        }
        return mains;
    }

    private record Proc(long pid, long parent, long startTime) {
    }

    /** The processes whose cgroup membership (any line of {@code /proc/<pid>/cgroup}) satisfies {@code in}. */
    private List<Proc> processes(java.util.function.Predicate<String> in) {
        var found = new ArrayList<Proc>();
        String[] names = proc.toFile().list();
        for (String name : names == null ? new String[0] : names) {
            if (!name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            try {
                if (!in.test(Files.readString(proc.resolve(name).resolve("cgroup")))) {
                    continue;
                }
                String stat = Files.readString(proc.resolve(name).resolve("stat"));
                // "pid (comm) state ppid ... starttime": comm may hold spaces and parentheses, so count after the last ')'
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                found.add(new Proc(Long.parseLong(name), Long.parseLong(fields[1]), Long.parseLong(fields[19])));
            } catch (IOException | RuntimeException e) {
                // the process ended while we read it, or is not ours to read: not a candidate
            }
        }
        return found;
    }
}
