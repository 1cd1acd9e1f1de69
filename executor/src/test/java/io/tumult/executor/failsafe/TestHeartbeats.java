package io.tumult.executor.failsafe;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.tumult.local.EventClient;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.GuardianHeartbeat;

/** Plays the guardian's heartbeat on the real broker, every 200 ms, until stopped: what keeps an executor taking runs. */
public final class TestHeartbeats implements AutoCloseable {

    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final EventClient kafka;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "test-heartbeats");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> beating;

    public TestHeartbeats(String bootstrapServers) {
        this.kafka = new EventClient(bootstrapServers);
    }

    /** Starts beating (again); does nothing while beating. */
    public synchronized TestHeartbeats start() {
        if (beating == null) {
            beating = timer.scheduleAtFixedRate(() -> kafka.publishAsync(EventType.GUARDIAN_HEARTBEAT, "test-guardian",
                    new GuardianHeartbeat("test-guardian", Instant.now(), INTERVAL, 0), "/test"), 0,
                    INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Stops beating, as a guardian that died would; no beat lands on the broker after this returns. */
    public synchronized void stop() {
        if (beating != null) {
            beating.cancel(false);
            beating = null;
            try {
                timer.submit(() -> {
                }).get(); // a beat being sent as it was cancelled has been handed to the producer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            kafka.flush();
        }
    }

    @Override
    public void close() {
        stop();
        timer.shutdownNow();
        kafka.close();
    }
}
