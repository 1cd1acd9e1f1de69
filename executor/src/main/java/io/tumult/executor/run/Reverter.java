package io.tumult.executor.run;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.Injection;

/**
 * Reverts one injection, retrying with back-off until it succeeds or the run's deadline plus a grace has passed (at
 * least {@value #MIN_ATTEMPTS} attempts). Uses the attack's {@code recover}; without an attack for the kind (an
 * executor that no longer has it), the injection's plain undo commands.
 */
final class Reverter {

    private static final Logger LOG = Logger.getLogger(Reverter.class);
    static final int MIN_ATTEMPTS = 3;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final InstantSource clock;
    private final Duration grace;
    private final Duration commandTimeout;

    Reverter(InstantSource clock, Duration grace, Duration commandTimeout) {
        this.clock = clock;
        this.grace = grace;
        this.commandTimeout = commandTimeout;
    }

    /** Returns null once reverted, else why the last attempt failed. */
    String revert(UUID runId, Attack<?> attack, Injection injection, Instant deadline) {
        Instant giveUpAt = deadline.plus(grace);
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1;; attempt++) {
            try {
                if (attack != null) {
                    attack.recover(injection);
                } else {
                    runUndo(injection);
                }
                if (attempt > 1) {
                    LOG.infof("runId=%s target=%s reverted at attempt %d", runId, injection.target().describe(),
                            attempt);
                }
                return null;
            } catch (RuntimeException e) {
                if (attempt >= MIN_ATTEMPTS && !clock.instant().isBefore(giveUpAt)) {
                    return e.getMessage();
                }
                LOG.warnf("runId=%s target=%s revert attempt %d failed, retrying in %d ms: %s", runId,
                        injection.target().describe(), attempt, backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return e.getMessage() + " (interrupted while retrying)";
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /** Runs the undo commands in order; each may fail harmlessly when the fault is already gone. */
    private void runUndo(Injection injection) {
        for (List<String> argv : injection.undo()) {
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + commandTimeout);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted running " + String.join(" ", argv), e);
            }
        }
    }
}
