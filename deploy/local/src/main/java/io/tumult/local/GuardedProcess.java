package io.tumult.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A long-running child that cannot outlive this JVM. It runs behind a small shell guard that holds a pipe from us
 * on its stdin: when the pipe closes (our {@link #close()}, a normal exit, Ctrl-C, or {@code kill -9} of this JVM),
 * the guard sends the child SIGTERM, so it shuts down gracefully, and waits for it. The guard ends with the child,
 * with its exit status, so {@link #isAlive()} tells whether the child still runs.
 */
public final class GuardedProcess implements AutoCloseable {

    /**
     * Ctrl-C in a terminal signals the whole foreground process group: the guard and its child ignore SIGINT (and
     * SIGHUP), so that only this JVM reacts, and its shutdown stops the child through the pipe, gracefully. A
     * subshell reads the pipe (fd 3; an asynchronous list's own stdin is /dev/null) and stops the child at its end;
     * the guard waits for the child, not for the pipe, and then stops the subshell.
     */
    private static final String GUARD = "trap '' INT HUP; exec 3<&0 0</dev/null; \"$@\" 3<&- & child=$!;"
            + " (while read -r _ <&3; do :; done; kill $child 2>/dev/null) & watcher=$!; exec 3<&-;"
            + " wait $child; status=$?; kill $watcher 2>/dev/null; exit $status";

    /** How long close() waits for killed processes to be gone. */
    private static final Duration KILLED_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Process guard;
    private final OutputStream lifeline;
    private final Path log;
    private final Duration stopTimeout;

    private GuardedProcess(String name, Process guard, Path log, Duration stopTimeout) {
        this.name = name;
        this.guard = guard;
        this.lifeline = guard.getOutputStream();
        this.log = log;
        this.stopTimeout = stopTimeout;
    }

    /** Starts {@code command} with its output (stdout and stderr) appended to {@code log}. */
    public static GuardedProcess start(String name, List<String> command, Path log, Duration stopTimeout)
            throws IOException {
        var guarded = new ArrayList<>(List.of("sh", "-c", GUARD, "tumult-guard"));
        guarded.addAll(command);
        Process guard = new ProcessBuilder(guarded)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new GuardedProcess(name, guard, log, stopTimeout);
    }

    /** Whether the child still runs: the guard ends with it. */
    public boolean isAlive() {
        return guard.isAlive();
    }

    /** The child's exit status once it has ended ({@code 128 + n} for signal n). */
    public int exitValue() {
        return guard.exitValue();
    }

    /** What the process printed so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The last {@code lines} lines the process printed, for error messages. */
    public String logTail(int lines) {
        String[] all = log().split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** The guard and the child, for tests that check nothing is left running. */
    public List<ProcessHandle> processes() {
        var all = new ArrayList<ProcessHandle>();
        all.add(guard.toHandle());
        guard.descendants().forEach(all::add);
        return all;
    }

    /**
     * Stops the child gracefully, forcibly once the stop timeout has passed; returns once the guard, the child and
     * whatever else ran under the guard are gone (a signalled process takes a moment to go).
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = processes();
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the guard is gone already
        }
        try {
            if (!guard.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println(name + " did not stop within " + stopTimeout + "; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitGone(tree);
        }
    }

    private static void awaitGone(List<ProcessHandle> processes) {
        long deadline = System.nanoTime() + KILLED_WAIT.toNanos();
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                return; // killed: it goes with the kernel's next step, and a caller that checks finds it
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + guard.pid() + ")";
    }
}
