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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
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
 * <p>
 * Starting a process costs milliseconds on the path from run-start to fault active, so a spare guard is started
 * ahead: it waits on its pipe for its orders (the seconds to wait, its name, the undo commands, one per line, then an
 * empty line), then re-executes itself as the guard above, on the same pipe. Orders written to the pipe are acted on
 * even if this process dies right after writing them; a spare that gets no orders exits when the pipe closes.
 */
public final class ProcessGuards implements Guards {

    private static final Logger LOG = Logger.getLogger(ProcessGuards.class);

    /** $1: seconds to wait; the rest: undo commands, each one shell-quoted command line. */
    static final String SCRIPT = "trap '' INT HUP; t=$1; shift;"
            + " if IFS= read -r -t \"$t\" line && [ \"$line\" = disarm ]; then exit 0; fi;"
            + " echo \"$(date -u +%FT%T.%NZ) guard $$ reverting: $*\";"
            + " for d in 0 0.25 1; do sleep $d; for c in \"$@\"; do eval \"$c\"; done; done";

    /** A spare guard: reads its orders from the pipe, then becomes the guard of {@link #SCRIPT}. */
    static final String SPARE = "trap '' INT HUP; IFS= read -r t || exit 0; IFS= read -r name || exit 0; undo=();"
            + " while IFS= read -r c && [ -n \"$c\" ]; do undo+=(\"$c\"); done;"
            + " exec -a \"$name\" bash -c \"$0\" \"$name\" \"$t\" \"${undo[@]}\"";

    private final InstantSource clock;
    private final Path log;
    /** The next guard's process, started ahead; taken by {@link #arm}, replaced in the background. */
    private final BlockingQueue<Process> spares = new LinkedBlockingQueue<>();
    private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        var t = new Thread(r, "tumult-guard-starter");
        t.setDaemon(true);
        return t;
    });

    /** Guards on {@code clock}, appending what they run to {@code log}. */
    public ProcessGuards(InstantSource clock, Path log) {
        this.clock = clock;
        this.log = log;
        starter.execute(this::startSpare);
    }

    @Override
    public Guard arm(JournalEntry entry) {
        long millis = Math.max(0, entry.deadline().toEpochMilli() - clock.millis());
        var orders = new StringBuilder(String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000))
                .append('\n').append("tumult-guard-").append(entry.runId()).append('\n');
        entry.injection().undo().forEach(argv -> orders.append(shellQuoted(argv)).append('\n'));
        byte[] written = orders.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        Process spare = spares.poll();
        starter.execute(this::startSpare);
        if (spare != null) {
            try {
                spare.getOutputStream().write(written);
                spare.getOutputStream().flush();
                return new ProcessGuard(spare, entry);
            } catch (IOException e) { // that spare died: start one for this guard
                spare.destroyForcibly();
            }
        }
        try {
            Process guard = start();
            guard.getOutputStream().write(written);
            guard.getOutputStream().flush();
            return new ProcessGuard(guard, entry);
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot arm a guard (setsid, bash): " + e.getMessage(), e);
        }
    }

    private void startSpare() {
        if (!spares.isEmpty()) {
            return;
        }
        try {
            spares.add(start());
        } catch (IOException e) {
            LOG.warnf("cannot start a spare guard (%s); the next guard starts on demand", e.getMessage());
        }
    }

    private Process start() throws IOException {
        return new ProcessBuilder("setsid", "bash", "-c", SPARE, SCRIPT).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** One shell word per argument, on one line (a newline inside an argument is written as {@code $'\n'}). */
    static String shellQuoted(List<String> argv) {
        var words = new ArrayList<String>();
        for (String arg : argv) {
            words.add("'" + arg.replace("'", "'\\''").replace("\n", "'$'\\n''") + "'");
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
