package io.tumult.executor.run;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Hard-deadline timers, measured on the engine's clock. */
final class Deadlines {

    private final InstantSource clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("tumult-deadline-"));

    Deadlines(InstantSource clock) {
        this.clock = clock;
    }

    /** Runs {@code action} at {@code deadline} (at once if it has passed); cancel the result to call it off. */
    ScheduledFuture<?> at(Instant deadline, Runnable action) {
        return timer.schedule(action, millisUntil(deadline), TimeUnit.MILLISECONDS);
    }

    /** Milliseconds from now to {@code deadline}, never negative. */
    long millisUntil(Instant deadline) {
        return Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
    }

    void shutdown() {
        timer.shutdownNow();
    }

    static ThreadFactory named(String prefix) {
        var n = new AtomicInteger();
        return r -> {
            var t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
