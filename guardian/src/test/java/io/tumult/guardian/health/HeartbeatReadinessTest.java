package io.tumult.guardian.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.Test;

/** When the guardian counts as ready: a heartbeat acknowledged recently enough for executors to see it. */
class HeartbeatReadinessTest {

    private static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");
    private final AtomicReference<Instant> lastAcked = new AtomicReference<>();
    private final HeartbeatReadiness check = new HeartbeatReadiness(lastAcked::get, Duration.ofSeconds(1), () -> NOW);

    @Test
    void shouldBeDownBeforeTheFirstHeartbeatIsAcknowledged() {
        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.DOWN);
        assertThat(response.getData().orElseThrow()).containsEntry("heartbeat", "none acknowledged yet");
    }

    @Test
    void shouldBeUpWithinThreeIntervalsOfTheLastAcknowledgedHeartbeat() {
        // Given
        lastAcked.set(NOW.minusSeconds(3));

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void shouldBeDownOnceExecutorsWouldHaveMissedThreeHeartbeats() {
        // Given
        lastAcked.set(NOW.minusMillis(3_001));

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.DOWN);
        assertThat(response.getData().orElseThrow()).containsEntry("heartbeat",
                "last acknowledged 3001 ms ago (interval 1000 ms)");
    }
}
