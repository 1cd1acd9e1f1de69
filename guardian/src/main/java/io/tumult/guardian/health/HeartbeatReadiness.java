package io.tumult.guardian.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.tumult.guardian.config.GuardianConfig;
import io.tumult.guardian.messaging.GuardianTimers;

/**
 * Ready while executors can see this guardian: the broker acknowledged one of its heartbeats within the last
 * {@value #MISSED_BEATS} intervals (executors' dead-man switches trip after a few missed ones). That samples are
 * judged is {@link EvaluatorHealth}.
 */
@Readiness
@ApplicationScoped
public class HeartbeatReadiness implements HealthCheck {

    static final String NAME = "tumult-guardian-heartbeat";
    static final int MISSED_BEATS = 3;

    private final Supplier<Instant> lastAcked;
    private final Duration interval;
    private final InstantSource clock;

    @Inject
    HeartbeatReadiness(GuardianTimers timers, GuardianConfig config) {
        this(timers::lastHeartbeatAcked, config.heartbeatInterval(), Clock.systemUTC());
    }

    HeartbeatReadiness(Supplier<Instant> lastAcked, Duration interval, InstantSource clock) {
        this.lastAcked = lastAcked;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        Instant last = lastAcked.get();
        var response = HealthCheckResponse.named(NAME);
        if (last == null) {
            return response.down().withData("heartbeat", "none acknowledged yet").build();
        }
        Duration age = Duration.between(last, clock.instant());
        return response.status(age.compareTo(interval.multipliedBy(MISSED_BEATS)) <= 0)
                .withData("heartbeat", "last acknowledged " + age.toMillis() + " ms ago (interval "
                        + interval.toMillis() + " ms)")
                .build();
    }
}
