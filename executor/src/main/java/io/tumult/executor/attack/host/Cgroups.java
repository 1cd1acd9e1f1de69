package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.CgroupTarget;

/**
 * The host's cgroup hierarchies, read from {@code /proc/self/mounts}: cgroup v1 (one mount per controller, or
 * several controllers per mount) or, when no v1 controller is mounted, the cgroup v2 tree. Resolves a
 * {@link CgroupTarget} and refuses, before any action, what Tumult must not touch: a path outside the allowed prefixes,
 * a cgroup missing from a controller the attack needs, a cgroup that contains the executor itself.
 */
final class Cgroups {

    /** The v2 tree's pseudo-controller name in {@link #mounts}. */
    static final String UNIFIED = "";

    /** Controller name to mount directory; with v2 only, the single entry {@link #UNIFIED}. */
    private final Map<String, Path> mounts;

    private Cgroups(Map<String, Path> mounts) {
        this.mounts = Map.copyOf(mounts);
    }

    /** The hierarchies mounted on this host. */
    static Cgroups host() {
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length < 4) {
                    continue;
                }
                if (f[2].equals("cgroup")) {
                    for (String option : f[3].split(",")) {
                        if (List.of("cpu", "cpuacct", "memory", "blkio", "pids", "io").contains(option)) {
                            v1.putIfAbsent(option, Path.of(f[1]));
                        }
                    }
                } else if (f[2].equals("cgroup2") && v2 == null) {
                    v2 = Path.of(f[1]);
                }
            }
        } catch (IOException e) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot read /proc/self/mounts: " + e.getMessage(), e);
        }
        if (!v1.isEmpty()) {
            return new Cgroups(v1); // v1 or hybrid: the controllers live in v1, the v2 tree (if any) has none
        }
        if (v2 != null) {
            return new Cgroups(Map.of(UNIFIED, v2));
        }
        throw new AttackException(Reason.PERMISSION_DENIED, "no cgroup hierarchy is mounted on this host");
    }

    /** The root directory of every hierarchy, each once. */
    List<Path> roots() {
        return mounts.values().stream().distinct().toList();
    }

    boolean unified() {
        return mounts.containsKey(UNIFIED);
    }

    /** The directory of {@code path} in {@code controller}'s hierarchy (v2: in the one tree). */
    Path dir(String controller, String path) {
        Path mount = unified() ? mounts.get(UNIFIED) : mounts.get(controller);
        return path.equals("/") ? mount : mount.resolve(path.substring(1));
    }

    /**
     * Checks {@code target} for an attack that needs {@code controllers} (v1 names: cpu, cpuacct, memory, blkio).
     *
     * @throws AttackException before any action: PERMISSION_DENIED outside {@code allowedPrefixes} or containing the
     *         executor, TARGET_NOT_FOUND when the cgroup is missing from a needed controller
     */
    ResolvedTarget resolve(String kind, CgroupTarget target, List<String> controllers, List<String> allowedPrefixes) {
        String path = target.path();
        if (allowedPrefixes.stream().noneMatch(path::startsWith)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cgroup " + path + " does not start with an allowed prefix "
                    + allowedPrefixes + " (tumult.executor.allowed-cgroup-prefixes)");
        }
        for (String controller : controllers) {
            if (!unified() && !mounts.containsKey(controller)) {
                throw new AttackException(Reason.PERMISSION_DENIED, kind + " needs the cgroup controller " + controller
                        + ", which is not mounted on this host");
            }
            if (!Files.isDirectory(dir(controller, path))) {
                throw new AttackException(Reason.TARGET_NOT_FOUND, "no cgroup " + path
                        + (unified() ? "" : " in the " + controller + " controller") + " (" + dir(controller, path) + ")");
            }
        }
        if (!path.equals("/")) {
            for (Map.Entry<String, String> own : ownCgroups().entrySet()) {
                if (usedBy(controllers, own.getKey())
                        && (own.getValue().equals(path) || own.getValue().startsWith(path + "/"))) {
                    throw new AttackException(Reason.PERMISSION_DENIED, "cgroup " + path
                            + " contains the executor itself (" + own.getValue() + "); Tumult never stresses it");
                }
            }
        }
        return new ResolvedTarget(CgroupTarget.KIND, path);
    }

    private boolean usedBy(List<String> controllers, String hierarchy) {
        return unified() ? hierarchy.isEmpty() : List.of(hierarchy.split(",")).stream().anyMatch(controllers::contains);
    }

    /** This process's cgroup per hierarchy: controllers (comma-separated; "" for v2) to path. */
    private static Map<String, String> ownCgroups() {
        Map<String, String> own = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3) {
                    own.put(f[1], f[2]);
                }
            }
        } catch (IOException e) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot read /proc/self/cgroup to keep the executor "
                    + "out of its own attacks: " + e.getMessage(), e);
        }
        return own;
    }

    /**
     * The cgroup a run's stressors live in: {@code <target>/tumult-<runId>} in each hierarchy the target exists in (v1;
     * at least the needed controllers, checked by {@link #resolve}), or in the one v2 tree. Named after the run, so
     * undo and start-up recovery find it without knowing any pid.
     */
    RunCgroup runCgroup(UUID runId, String targetPath) {
        String name = RunCgroup.nameFor(runId);
        String path = (targetPath.equals("/") ? "" : targetPath) + "/" + name;
        List<Path> dirs = new ArrayList<>();
        if (unified()) {
            dirs.add(dir(UNIFIED, path));
        } else {
            for (String controller : mounts.keySet()) {
                if (Files.isDirectory(dir(controller, targetPath)) && !dirs.contains(dir(controller, path))) {
                    dirs.add(dir(controller, path));
                }
            }
        }
        return new RunCgroup(runId.toString(), path, dirs);
    }

    /** The memory limit of {@code path} in bytes, if it has one. */
    Optional<Long> memoryLimit(String path) {
        Path file = unified() ? dir(UNIFIED, path).resolve("memory.max") : dir("memory", path).resolve("memory.limit_in_bytes");
        try {
            String value = Files.readString(file).strip();
            if (value.equals("max")) {
                return Optional.empty();
            }
            long limit = Long.parseLong(value);
            return limit >= (1L << 60) ? Optional.empty() : Optional.of(limit); // v1 writes "no limit" as ~2^63
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // the root cgroup has no limit file
        }
    }

    /** Refuses, naming the tool, when {@code kind} needs a command this executor lacks. */
    static void requireTools(String kind, String... tools) {
        for (String tool : tools) {
            if (!HostCommand.onPath(tool)) {
                throw new AttackException(Reason.PERMISSION_DENIED, kind + " needs the '" + tool
                        + "' command, which is not on this executor's PATH"
                        + (tool.equals("stress-ng") ? " (Debian package stress-ng)" : ""));
            }
        }
    }
}
