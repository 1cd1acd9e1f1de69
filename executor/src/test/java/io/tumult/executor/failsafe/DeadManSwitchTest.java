package io.tumult.executor.failsafe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.tumult.executor.failsafe.DeadManSwitch.Change;

/** The switch's rules on instants the test chooses; the real broker and victim are in {@link FailSafeKafkaTest}. */
class DeadManSwitchTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final DeadManSwitch deadMan = new DeadManSwitch(Duration.ofSeconds(3));

    @Test
    void shouldRefuseFromStartUpUntilTheFirstHeartbeat() {
        // When
        Change change = deadMan.check(T0);

        // Then
        assertThat(change).isEqualTo(Change.NONE); // tripped from the start: nothing to revert
        assertThat(deadMan.refusalAt(T0)).contains("no guardian heartbeat seen since start-up");
    }

    @Test
    void shouldResetOnTheFirstHeartbeatAndTripWhenHeartbeatsStop() {
        // Given
        deadMan.heartbeat(T0);
        assertThat(deadMan.check(T0)).isEqualTo(Change.RESET);
        assertThat(deadMan.refusalAt(T0)).isNull();
        deadMan.kafka(T0.plusSeconds(3)); // Kafka still answers

        // When
        Change change = deadMan.check(T0.plusMillis(3001));

        // Then
        assertThat(change).isEqualTo(Change.TRIPPED);
        assertThat(deadMan.refusalAt(T0.plusMillis(3001))).contains("no guardian heartbeat for 3001 ms");
    }

    @Test
    void shouldTripNamingKafkaWhenKafkaStopsAnswering() {
        // Given: a heartbeat at T0, and from then on not even Kafka answers
        deadMan.heartbeat(T0);
        deadMan.check(T0);

        // When
        Change change = deadMan.check(T0.plusMillis(3500));

        // Then
        assertThat(change).isEqualTo(Change.TRIPPED);
        assertThat(deadMan.refusalAt(T0.plusMillis(3500))).contains("no answer from Kafka for 3500 ms");
    }

    @Test
    void shouldTripNamingTheGuardianWhenKafkaAnswersButNoHeartbeatComes() {
        // Given
        deadMan.heartbeat(T0);
        deadMan.check(T0);
        deadMan.kafka(T0.plusSeconds(3));

        // When
        Change change = deadMan.check(T0.plusMillis(3500));

        // Then
        assertThat(change).isEqualTo(Change.TRIPPED);
        assertThat(deadMan.refusalAt(T0.plusMillis(3500))).contains("no guardian heartbeat for 3500 ms");
    }

    @Test
    void shouldRefuseAsSoonAsTheHeartbeatIsStaleEvenBeforeTheNextCheck() {
        // Given
        deadMan.heartbeat(T0);
        deadMan.check(T0);
        deadMan.kafka(T0.plusSeconds(4));

        // When
        String refusal = deadMan.refusalAt(T0.plusSeconds(4));

        // Then
        assertThat(refusal).contains("no guardian heartbeat for 4000 ms");
    }

    @Test
    void shouldStillTripForAGapThatEndedBetweenTwoChecks() {
        // Given: fresh at T0, then silence of 4 s that a heartbeat ends before any check
        deadMan.heartbeat(T0);
        deadMan.check(T0);
        deadMan.heartbeat(T0.plusSeconds(4));

        // When
        Change first = deadMan.check(T0.plusSeconds(4));
        Change second = deadMan.check(T0.plusSeconds(4));

        // Then: the runs admitted before the gap are reverted, then starts are taken again
        assertThat(first).isEqualTo(Change.TRIPPED);
        assertThat(second).isEqualTo(Change.RESET);
    }
}
