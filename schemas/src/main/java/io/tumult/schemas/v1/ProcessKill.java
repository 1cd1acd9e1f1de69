package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Set;

/**
 * Sends a signal to the target processes: once, or again every {@code interval} for the whole run, so a supervisor
 * that restarts them sees them die again (a process killer). Reverting stops the killing; killed processes are not
 * brought back by Tumult.
 *
 * @param signal the signal's name without {@code SIG}: KILL, TERM, INT, HUP, QUIT, ABRT, USR1, USR2, STOP or CONT
 * @param interval how often to signal the processes that match at that moment; null means once, at injection
 * @param name on a pod target: the command name ({@code comm}) of the processes to signal in each picked pod's
 *        containers; null otherwise (a process target selects by itself)
 * @param pattern on a pod target: a regular expression found in the full command line of the processes to signal in
 *        each picked pod's containers, instead of {@code name}; null otherwise
 */
public record ProcessKill(String signal, Duration interval, String name, String pattern) implements AttackSpec {

    public static final String KIND = "process-kill";

    /** The signals a process killer may send; the JSON Schema lists the same. */
    public static final Set<String> SIGNALS = Set.of("KILL", "TERM", "INT", "HUP", "QUIT", "ABRT", "USR1", "USR2",
            "STOP", "CONT");

    public ProcessKill {
        signal = signal == null ? "KILL" : signal;
        if (!SIGNALS.contains(signal)) {
            throw new IllegalArgumentException("unknown signal " + signal + ", expected one of " + SIGNALS);
        }
        if (interval != null && interval.toMillis() < 100) {
            throw new IllegalArgumentException("interval must be at least 100ms: " + interval);
        }
        if (name != null && pattern != null) {
            throw new IllegalArgumentException("a process kill selects by name or by pattern, not both");
        }
        if (name != null && name.isBlank() || pattern != null && pattern.isBlank()) {
            throw new IllegalArgumentException("a process kill's name or pattern must not be blank");
        }
    }

    /** A process kill on a process target, which selects the processes itself. */
    public ProcessKill(String signal, Duration interval) {
        this(signal, interval, null, null);
    }

    @Override
    public String kind() {
        return KIND;
    }
}
