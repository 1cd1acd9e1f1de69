package io.tumult.guardian.messaging;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tumult.guardian.config.GuardianConfig;
import io.tumult.schemas.v1.GuardianHeartbeat;

/**
 * The heartbeat executors watch, on the guardian's own clock, sent by the producer that sends the aborts
 * ({@link GuardianLoop#heartbeat}). Ticks are skipped until start-up has completed and from shutdown on. (Silence is
 * judged on the evaluating thread, by {@link GuardianLoop}.)
 */
@ApplicationScoped
public class GuardianTimers {

    private final GuardianLoop loop;
    private final GuardianConfig config;
    private final Clock clock = Clock.systemUTC();
    private volatile Instant lastBeatAcked;

    GuardianTimers(GuardianLoop loop, GuardianConfig config) {
        this.loop = loop;
        this.config = config;
    }

    @Scheduled(every = "${tumult.guardian.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> beat() {
        var beat = new GuardianHeartbeat(config.id(), clock.instant(), config.heartbeatInterval(), loop.watched());
        // a send waits for the topic's metadata (up to max.block.ms while the broker is away): not on the event loop
        return Uni.createFrom().completionStage(() -> loop.heartbeat(beat))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> lastBeatAcked = beat.at());
    }

    /** When the last heartbeat the broker acknowledged was sent, or null before the first: for the readiness check. */
    public Instant lastHeartbeatAcked() {
        return lastBeatAcked;
    }
}
