package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.ProcessTarget;

/**
 * Finds the processes a {@link ProcessTarget} names, from the host's {@code /proc}: those whose PID namespace
 * ({@code /proc/<pid>/ns/pid}) is the target's, matched by command name, command line or pid as seen in that
 * namespace (the last {@code NSpid}). Nothing is entered: the host pids found are signalled directly. A pod target
 * will pass its pod's pid namespace. Tells apart the processes Tumult must never signal: PID 1 (of the host or of the
 * namespace), the executor, its ancestors and its descendants (its guards), kernel threads, and anything whose command
 * line matches none of the allowed patterns.
 */
final class Processes {

    /** One process seen from the host. */
    record Proc(long pid, long nsPid, String comm, String cmdline) {
    }

    /** The processes a target selects, split into those that may be signalled and those refused, with why. */
    record Selection(List<Proc> allowed, List<String> refused) {
    }

    private Processes() {
    }

    /** The target's selector as one string (a resolved target's name), parsed back by {@link #parse}. */
    static String describe(ProcessTarget t) {
        String selector = t.name() != null ? "name=" + t.name()
                : t.pattern() != null ? "pattern=" + t.pattern() : "pid=" + t.pid();
        return t.pidNamespace() != null ? "pidns=" + t.pidNamespace() + ";" + selector : selector;
    }

    static ProcessTarget parse(String described) {
        Integer pidns = null;
        String selector = described;
        if (described.startsWith("pidns=")) {
            int end = described.indexOf(';');
            pidns = Integer.valueOf(described.substring("pidns=".length(), end));
            selector = described.substring(end + 1);
        }
        String value = selector.substring(selector.indexOf('=') + 1);
        if (selector.startsWith("name=")) {
            return new ProcessTarget(value, null, null, pidns);
        }
        if (selector.startsWith("pattern=")) {
            return new ProcessTarget(null, value, null, pidns);
        }
        return new ProcessTarget(null, null, Integer.valueOf(value), pidns);
    }

    /** The inode of the target's PID namespace: that of {@code pidNamespace}'s process, else the executor's own. */
    static String namespaceOf(ProcessTarget target) {
        return namespaceOf(target.pidNamespace() != null ? target.pidNamespace() : ProcessHandle.current().pid());
    }

    /** The PID namespace of process {@code holder}, as {@code /proc/<pid>/ns/pid} reads ({@code pid:[<inode>]}). */
    static String namespaceOf(long holder) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(holder), "ns", "pid")).toString();
        } catch (IOException e) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no process " + holder
                    + " whose PID namespace to act in (pidNamespace)");
        }
    }

    /** The host's PID namespace (PID 1's, else the executor's own), as {@link #namespaceOf(long)} reads it. */
    static String hostNamespace() {
        try {
            return namespaceOf(1);
        } catch (AttackException e) {
            return namespaceOf(ProcessHandle.current().pid());
        }
    }

    /** The processes {@code target} selects now, checked against the safety rules and {@code allowedPatterns}. */
    static Selection select(ProcessTarget target, Optional<List<String>> allowedPatterns) {
        return select(namespaceOf(target), target, allowedPatterns);
    }

    /**
     * {@link #select(ProcessTarget, Optional)} in the PID namespace {@code namespace}, as {@code /proc/<pid>/ns/pid}
     * reads ({@code pid:[<inode>]}), whatever the target's {@code pidNamespace} says.
     */
    static Selection select(String namespace, ProcessTarget target, Optional<List<String>> allowedPatterns) {
        Pattern pattern = target.pattern() == null ? null : compile(target.pattern());
        List<Pattern> allowed = allowedPatterns.orElse(List.of()).stream().map(Processes::compile).toList();
        Set<Long> own = executorFamily();
        List<Proc> ok = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        if (target.pid() != null && target.pid() == 1) {
            // also where PID 1's namespace cannot be read (then it is never matched below)
            refused.add("process 1: it is PID 1");
        }
        for (Proc p : inNamespace(namespace)) {
            boolean matches = target.name() != null ? p.comm().equals(target.name())
                    : pattern != null ? pattern.matcher(p.cmdline()).find() : p.nsPid() == target.pid();
            if (!matches) {
                continue;
            }
            String why = p.pid() == 1 || p.nsPid() == 1 ? "it is PID 1"
                    : own.contains(p.pid()) ? "it is the executor, one of its ancestors or one of its children"
                            : p.cmdline().isEmpty() ? "it is a kernel thread"
                                    : allowed.stream().noneMatch(a -> a.matcher(p.cmdline()).find())
                                            ? "its command line matches no allowed pattern " + allowedPatterns.orElse(List.of())
                                                    + " (tumult.executor.allowed-process-patterns)"
                                            : null;
            if (why == null) {
                ok.add(p);
            } else {
                refused.add("process " + p.pid() + " (" + p.comm() + "): " + why);
            }
        }
        return new Selection(ok, refused);
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "not a regular expression: " + regex + " ("
                    + e.getDescription() + ")");
        }
    }

    /** Why the host process {@code pid} must never be signalled (PID 1, the executor or its family), or null. */
    static String neverSignalled(long pid) {
        return pid == 1 ? "it is PID 1"
                : executorFamily().contains(pid)
                        ? "it is the executor, one of its ancestors or one of its children"
                        : null;
    }

    /** The executor, its ancestors and its descendants (guards, stressors, commands). */
    private static Set<Long> executorFamily() {
        Set<Long> family = new HashSet<>();
        ProcessHandle self = ProcessHandle.current();
        family.add(self.pid());
        self.descendants().forEach(d -> family.add(d.pid()));
        for (var p = self.parent(); p.isPresent(); p = p.get().parent()) {
            family.add(p.get().pid());
        }
        return family;
    }

    private static List<Proc> inNamespace(String namespace) {
        List<Proc> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readSymbolicLink(dir.resolve("ns/pid")).toString().equals(namespace)) {
                        continue;
                    }
                    long pid = Long.parseLong(dir.getFileName().toString());
                    String comm = Files.readString(dir.resolve("comm")).strip();
                    String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    long nsPid = Files.readAllLines(dir.resolve("status")).stream().filter(l -> l.startsWith("NSpid:"))
                            .map(l -> l.substring(6).strip().split("\\s+")).map(f -> Long.parseLong(f[f.length - 1]))
                            .findFirst().orElse(pid);
                    found.add(new Proc(pid, nsPid, comm, cmdline));
                } catch (IOException | RuntimeException e) {
                    // exited while we looked, or its namespace cannot be read: never chosen
                }
            }
        } catch (IOException e) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot list /proc: " + e.getMessage(), e);
        }
        return found;
    }
}
