package io.tumult.schemas.v1;

import java.util.stream.Stream;

/**
 * Processes on the executor's host, chosen by exactly one of {@code name}, {@code pattern} or {@code pid}, optionally
 * within another PID namespace (a container's or a pod's). The executor refuses PID 1, itself and its own children
 * whatever matches, and anything outside its allowed process patterns.
 *
 * @param name the process's command name ({@code comm}, as {@code pgrep -x} matches it), or null
 * @param pattern a regular expression found anywhere in the process's full command line (as {@code pgrep -f}), or
 *        null
 * @param pid the process id, as seen in {@code pidNamespace} when that is given, else on the host; or null
 * @param pidNamespace the host pid of any process in the PID namespace to act in (a container's init, for example);
 *        null means the host's own PID namespace
 */
public record ProcessTarget(String name, String pattern, Integer pid, Integer pidNamespace) implements Target {

    public static final String KIND = "process";

    public ProcessTarget {
        long given = Stream.of(name, pattern, pid).filter(v -> v != null).count();
        if (given != 1) {
            throw new IllegalArgumentException("a process target names exactly one of name, pattern or pid");
        }
        if (name != null && name.isBlank() || pattern != null && pattern.isBlank()) {
            throw new IllegalArgumentException("a process target's name or pattern must not be blank");
        }
        if (pid != null && pid < 1 || pidNamespace != null && pidNamespace < 1) {
            throw new IllegalArgumentException("pids are positive: " + (pid != null && pid < 1 ? pid : pidNamespace));
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
