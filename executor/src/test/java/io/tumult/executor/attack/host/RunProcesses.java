package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** What a run left on the host, found by its tag and its cgroup, never by a pid the attack reported. */
final class RunProcesses {

    private RunProcesses() {
    }

    /**
     * Live processes of the run: in a cgroup named after it, or with {@code TUMULT_RUN=<runId>} in their environment
     * (stress-ng's workers overwrite theirs with their process titles, so the cgroup is the tag that holds).
     */
    static List<Long> tagged(UUID runId) {
        byte[] tag = (RunCgroup.TAG_VARIABLE + "=" + runId).getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return contains(Files.readAllBytes(p.resolve("environ")), tag)
                            || Files.readString(p.resolve("cgroup")).contains(RunCgroup.nameFor(runId));
                } catch (IOException e) {
                    return false; // exited meanwhile, or a kernel thread
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the process still runs (a zombie awaiting its reaper has died). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** A process's command line as the kernel has it (arguments joined by spaces), or "" once it is gone. */
    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The run's cgroup directory in {@code controller}'s hierarchy under {@code victim}. */
    static Path runCgroup(String controller, VictimCgroup victim, UUID runId) {
        return victim.dir(controller).resolve(RunCgroup.nameFor(runId));
    }

    static long readLong(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** CPU time used by the tasks of a cgroup, in nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
    static long cpuNanos(Path cpuacctDir) {
        Path v1 = cpuacctDir.resolve("cpuacct.usage");
        if (Files.exists(v1)) {
            return readLong(v1);
        }
        try {
            return Files.readAllLines(cpuacctDir.resolve("cpu.stat")).stream().filter(l -> l.startsWith("usage_usec "))
                    .mapToLong(l -> Long.parseLong(l.substring(11).strip()) * 1000).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cores busy in a cgroup over {@code millis}, from its CPU usage. */
    static double coresBusy(Path cpuacctDir, long millis) throws InterruptedException {
        long before = cpuNanos(cpuacctDir);
        long start = System.nanoTime();
        Thread.sleep(millis);
        long used = cpuNanos(cpuacctDir) - before;
        return (double) used / (System.nanoTime() - start);
    }

    private static boolean contains(byte[] environ, byte[] tag) {
        int i = 0;
        while (i < environ.length) {
            int end = i;
            while (end < environ.length && environ[end] != 0) {
                end++;
            }
            if (end - i == tag.length && java.util.Arrays.equals(environ, i, end, tag, 0, tag.length)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }
}
