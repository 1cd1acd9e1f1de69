package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * The cgroup one run's child processes live in, {@code tumult-<runId>} under the target cgroup, in every hierarchy
 * listed in {@code dirs}. Children are started in it before they exec, so everything they fork is in it too; they
 * carry {@value #TAG_VARIABLE}{@code =<runId>} in their environment and run in their own session (a Ctrl-C to the
 * executor's process group does not reach them). Removing it kills every task in it and removes the directories, and
 * {@link #undo()} does the same as a plain command, harmless when it is already gone.
 *
 * @param runId the run's id, the value of the tag
 * @param path the cgroup's path from the hierarchy root
 * @param dirs its directory in each hierarchy
 */
record RunCgroup(String runId, String path, List<Path> dirs) {

    /** The environment variable that tags every process a run starts. */
    static final String TAG_VARIABLE = "TUMULT_RUN";

    /**
     * Kills every task of the given cgroup directories and removes them, retrying for up to 10 s while tasks exit;
     * exits 0 once none of them exists, 1 if one is left.
     */
    private static final String REMOVE_SCRIPT = """
            i=0
            while [ $i -lt 100 ]; do
              left=
              for d in "$@"; do
                [ -d "$d" ] || continue
                left=1
                kill -9 $(cat "$d/cgroup.procs" 2>/dev/null) 2>/dev/null
                rmdir "$d" 2>/dev/null
              done
              [ -z "$left" ] && exit 0
              i=$((i+1))
              sleep 0.1
            done
            echo "cgroup still in place: $*" >&2
            exit 1
            """;

    /** Joins the cgroup, then execs the command: nothing of the child ever runs outside the cgroup. */
    private static final String ENTER_SCRIPT = "for f in $TUMULT_CGROUP_PROCS; do echo $$ > \"$f\" || exit 97; done; "
            + "exec \"$@\"";

    RunCgroup {
        dirs = List.copyOf(dirs);
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("a run cgroup needs at least one hierarchy");
        }
    }

    static String nameFor(UUID runId) {
        return "tumult-" + runId;
    }

    /** The command that removes this cgroup and kills what is in it; harmless when it is already gone. */
    List<String> undo() {
        var command = new ArrayList<>(List.of("sh", "-c", REMOVE_SCRIPT, "tumult-undo"));
        dirs.forEach(d -> command.add(d.toString()));
        return command;
    }

    /** Creates the directories (again, if a previous attempt left them). */
    void create() {
        for (Path dir : dirs) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new AttackException(Reason.INTERNAL, "cannot create cgroup " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Starts {@code command} inside this cgroup, in a session of its own, tagged with the run; returns once it runs
     * inside. Its standard output is discarded and its error output goes to {@code errors}.
     */
    Process start(List<String> command, Path errors) {
        var argv = new ArrayList<>(List.of("setsid", "sh", "-c", ENTER_SCRIPT, "tumult-" + runId));
        argv.addAll(command);
        var builder = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errors.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put(TAG_VARIABLE, runId);
        env.put("TUMULT_CGROUP_PROCS", String.join(" ", dirs.stream().map(d -> d.resolve("cgroup.procs").toString()).toList()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** The pids in this cgroup (first hierarchy); empty when it is gone. */
    List<Long> pids() {
        try (Stream<String> lines = Files.lines(dirs.get(0).resolve("cgroup.procs"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> !l.isBlank()).map(Long::parseLong).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    boolean exists() {
        return dirs.stream().anyMatch(Files::isDirectory);
    }

    /** Kills everything in the cgroup and removes it; completes normally when it is already gone. */
    void remove(Duration timeout) {
        var out = HostCommand.run(timeout.plusSeconds(12), null, undo());
        if (out.exitCode() != 0 || exists()) {
            throw new AttackException(Reason.INTERNAL, "cannot remove cgroup " + path + ": " + out.stderr().strip());
        }
    }
}
