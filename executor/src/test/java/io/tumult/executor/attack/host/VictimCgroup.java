package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tumult.local.ProcessRunner;

/**
 * A cgroup a test creates as the victim, {@code /tumult-test-<pid>-<n>-victim} in every v1 controller a resource
 * attack uses (or in the v2 tree). {@link #close()} kills whatever is left in it or below it and removes it; those of
 * test JVMs that died are swept on creation.
 */
final class VictimCgroup implements AutoCloseable {

    static final String PREFIX = "/tumult-test-";
    private static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "blkio", "pids");
    private static final Pattern OWNER = Pattern.compile("tumult-test-(\\d+)-\\d+-victim");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Cgroups cgroups = Cgroups.host();
    private final String path;

    private VictimCgroup(String path) {
        this.path = path;
    }

    static VictimCgroup create() {
        sweepStale();
        var victim = new VictimCgroup(PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-victim");
        try {
            for (Path dir : victim.dirs()) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            victim.close();
            throw new IllegalStateException("cannot create victim cgroup " + victim.path, e);
        }
        return victim;
    }

    String path() {
        return path;
    }

    /** The victim's directory in {@code controller}'s hierarchy. */
    Path dir(String controller) {
        return cgroups.dir(controller, path);
    }

    /** Writes a control file of the victim, for example a CPU quota. */
    void write(String controller, String file, String value) {
        try {
            Files.writeString(dir(controller).resolve(file), value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + " of " + path, e);
        }
    }

    List<Path> dirs() {
        return CONTROLLERS.stream().map(this::dir).distinct().toList();
    }

    @Override
    public void close() {
        remove(dirs());
    }

    /** Kills every task below and in {@code dirs}, deepest first, and removes them. */
    private static void remove(List<Path> dirs) {
        List<Path> all = new ArrayList<>();
        for (Path dir : dirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.filter(Files::isDirectory).forEach(all::add);
                } catch (IOException | java.io.UncheckedIOException e) {
                    // raced with a removal: what is left is handled below
                }
            }
        }
        all.sort((a, b) -> b.getNameCount() - a.getNameCount());
        var argv = new ArrayList<>(new RunCgroup("sweep", "/", List.of(Path.of("/nonexistent"))).undo().subList(0, 4));
        all.forEach(d -> argv.add(d.toString()));
        if (!all.isEmpty()) {
            ProcessRunner.run(argv.toArray(String[]::new)).orThrow();
        }
    }

    private static void sweepStale() {
        var cgroups = Cgroups.host();
        List<Path> stale = new ArrayList<>();
        for (String controller : CONTROLLERS) {
            Path root = cgroups.dir(controller, "/");
            try (Stream<Path> children = Files.list(root)) {
                children.forEach(child -> {
                    Matcher m = OWNER.matcher(child.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                        stale.add(child);
                    }
                });
            } catch (IOException e) {
                // no such hierarchy here
            }
        }
        remove(stale);
    }
}
