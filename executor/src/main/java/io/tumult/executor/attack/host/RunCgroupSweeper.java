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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.config.ExecutorConfig;

/**
 * Start-up sweeper of the resource attacks' leftovers: every run cgroup ({@code tumult-<runId>}) under the allowed
 * cgroup prefixes whose run is not active here has its tasks (the stressors) killed and is removed, in every
 * hierarchy. Only the allowed prefixes are searched, a few levels deep: nothing else is ever Tumult's.
 */
@ApplicationScoped
public class RunCgroupSweeper implements LeftoverSweeper {

    private static final Pattern RUN_CGROUP = Pattern.compile("tumult-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
            + "[0-9a-f]{12})");
    private static final int MAX_DEPTH = 8;

    private final ExecutorConfig config;

    /** Public for tools and tests that sweep without CDI. */
    public RunCgroupSweeper(ExecutorConfig config) {
        this.config = config;
    }

    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        Cgroups cgroups;
        try {
            cgroups = Cgroups.host();
        } catch (AttackException e) {
            return List.of(); // no cgroup hierarchy: no resource attack ever ran here
        }
        Map<String, UUID> found = new LinkedHashMap<>(); // the run cgroup's path from the root -> its run
        for (Path root : cgroups.roots()) {
            collect(root, root, 0, found);
        }
        var swept = new ArrayList<Swept>();
        found.forEach((path, runId) -> {
            if (active.test(runId)) {
                return;
            }
            String parent = path.substring(0, path.lastIndexOf('/'));
            cgroups.runCgroup(runId, parent.isEmpty() ? "/" : parent).remove(config.commandTimeout());
            swept.add(new Swept(Optional.of(runId), "cgroup " + path + " and the stressors in it"));
        });
        return swept;
    }

    private void collect(Path root, Path dir, int depth, Map<String, UUID> found) {
        if (depth >= MAX_DEPTH) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                String path = "/" + root.relativize(child).toString();
                boolean inside = config.allowedCgroupPrefixes().stream().anyMatch(path::startsWith);
                Matcher m = RUN_CGROUP.matcher(child.getFileName().toString());
                if (inside && m.matches()) {
                    found.putIfAbsent(path, UUID.fromString(m.group(1)));
                } else if (inside || config.allowedCgroupPrefixes().stream().anyMatch(p -> p.startsWith(path + "/"))) {
                    collect(root, child, depth + 1, found);
                }
            }
        } catch (IOException e) {
            // a cgroup removed while we looked, or unreadable: nothing of ours to find there
        }
    }
}
