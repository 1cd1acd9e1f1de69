package io.tumult.guardian.messaging;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.guardian.config.GuardianConfig;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.GuardianHeartbeat;

/**
 * The heartbeat executors watch, on the guardian's own clock. Ticks are skipped until start-up has completed and from
 * shutdown on, when the Kafka emitter is not (or no longer) wired. (Silence is judged on the evaluating thread, by
 * {@link GuardianLoop}.)
 */
@ApplicationScoped
public class GuardianTimers {

    private final GuardianLoop loop;
    private final GuardianConfig config;
    private final MutinyEmitter<Record<String, byte[]>> heartbeat;
    private final Clock clock = Clock.systemUTC();
    private volatile Instant lastBeatAcked;

    GuardianTimers(GuardianLoop loop, GuardianConfig config,
            @Channel("heartbeat") MutinyEmitter<Record<String, byte[]>> heartbeat) {
        this.loop = loop;
        this.config = config;
        this.heartbeat = heartbeat;
    }

    @Scheduled(every = "${tumult.guardian.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> beat() {
        var beat = new GuardianHeartbeat(config.id(), clock.instant(), config.heartbeatInterval(), loop.watched());
        return heartbeat.send(Record.of(config.id(), TumultJson.encode(beat)))
                .invoke(() -> lastBeatAcked = beat.at());
    }

    /** When the last heartbeat the broker acknowledged was sent, or null before the first: for the readiness check. */
    public Instant lastHeartbeatAcked() {
        return lastBeatAcked;
    }
}
