package io.tumult.bench.guardian;

import java.io.IOException;
import java.time.Duration;

/** What judges the latency bench's breaches: the packaged guardian, or the {@link NullRelay} in its place. */
interface Judge extends AutoCloseable {

    /** Waits until it watches the run (the relay watches nothing and relays every breach: no wait). */
    void awaitWatching(String runId, Duration timeout) throws IOException, InterruptedException;

    /** Samples it has taken in so far. */
    double evaluated() throws IOException, InterruptedException;

    /** CPU time its processes have used so far. */
    Duration cpu();

    String logTail(int lines);

    @Override
    void close();
}
