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
import io.tumult.guardian.rules.RuleBook;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.GuardianHeartbeat;

/**
 * What the guardian does on its own clock: the heartbeat, and aborting runs whose metrics went silent. Ticks are
 * skipped until start-up has completed and from shutdown on, when the Kafka emitters are not (or no longer) wired.
 */
@ApplicationScoped
public class GuardianTimers {

    private final RuleBook rules;
    private final AbortPublisher aborts;
    private final GuardianConfig config;
    private final MutinyEmitter<Record<String, byte[]>> heartbeat;
    private final Clock clock = Clock.systemUTC();
    private volatile Instant lastBeatAcked;

    GuardianTimers(RuleBook rules, AbortPublisher aborts, GuardianConfig config,
            @Channel("heartbeat") MutinyEmitter<Record<String, byte[]>> heartbeat) {
        this.rules = rules;
        this.aborts = aborts;
        this.config = config;
        this.heartbeat = heartbeat;
    }

    @Scheduled(every = "${tumult.guardian.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> beat() {
        var beat = new GuardianHeartbeat(config.id(), clock.instant(), config.heartbeatInterval(), rules.size());
        return heartbeat.send(Record.of(config.id(), TumultJson.encode(beat)))
                .invoke(() -> lastBeatAcked = beat.at());
    }

    /** When the last heartbeat the broker acknowledged was sent, or null before the first: for the readiness check. */
    public Instant lastHeartbeatAcked() {
        return lastBeatAcked;
    }

    @Scheduled(every = "${tumult.guardian.no-data-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> abortSilentRuns() {
        if (!config.noDataAbort()) {
            return Uni.createFrom().voidItem();
        }
        return aborts.publish(rules.silentRuns(clock.instant()));
    }
}
