package io.tumult.executor.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Guards as small bash processes outside the JVM. Each reads a pipe from this process with a timeout of the time
 * left to the run's deadline: when the pipe closes (this process died, whatever the cause, {@code kill -9}
 * included) or the deadline comes, whichever is first, it runs the injection's undo commands and exits; a line
 * {@code disarm} makes it exit without them.
 * <p>
 * Not {@code PR_SET_PDEATHSIG}: in Java it fires when the forking thread ends, not the process. The guard ignores
 * SIGINT and SIGHUP and runs in its own session ({@code setsid}), so Ctrl-C or a signal to the executor's process
 * group leaves it to do its job. Its output goes to a log file, never to a pipe of ours (a write to a pipe whose
 * reader died would kill it before it reverts).
 * <p>
 * The undo runs three times (at once, 0.25 s and 1 s later): a command that was applying the fault when this process
 * died is an orphan that may still complete after the first pass. Undo commands are harmless when repeated.
 */
public final class ProcessGuards implements Guards {

    private static final Logger LOG = Logger.getLogger(ProcessGuards.class);

    /** $1: seconds to wait; the rest: undo commands, each one shell-quoted command line. */
    static final String SCRIPT = "trap '' INT HUP; t=$1; shift;"
            + " if IFS= read -r -t \"$t\" line && [ \"$line\" = disarm ]; then exit 0; fi;"
            + " echo \"$(date -u +%FT%T.%NZ) guard $$ reverting: $*\";"
            + " for d in 0 0.25 1; do sleep $d; for c in \"$@\"; do eval \"$c\"; done; done";

    private final InstantSource clock;
    private final Path log;

    /** Guards on {@code clock}, appending what they run to {@code log}. */
    public ProcessGuards(InstantSource clock, Path log) {
        this.clock = clock;
        this.log = log;
    }

    @Override
    public Guard arm(JournalEntry entry) {
        long millis = Math.max(0, entry.deadline().toEpochMilli() - clock.millis());
        var command = new ArrayList<>(List.of("setsid", "bash", "-c", SCRIPT, "tumult-guard-" + entry.runId(),
                String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000)));
        entry.injection().undo().forEach(argv -> command.add(shellQuoted(argv)));
        try {
            Process guard = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ProcessGuard(guard, entry);
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot arm a guard (setsid, bash): " + e.getMessage(), e);
        }
    }

    static String shellQuoted(List<String> argv) {
        var words = new ArrayList<String>();
        for (String arg : argv) {
            words.add("'" + arg.replace("'", "'\\''") + "'");
        }
        return String.join(" ", words);
    }

    private record ProcessGuard(Process process, JournalEntry entry) implements Guard {

        @Override
        public void disarm() {
            try (OutputStream lifeline = process.getOutputStream()) {
                lifeline.write("disarm\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the guard already ended (its deadline came and it reverted): nothing to stand down
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    LOG.warnf("runId=%s guard %d did not stand down; killing it", entry.runId(), process.pid());
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Ensures the log's directory exists. */
    static Path logIn(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve("guards.log");
    }
}
