package io.tumult.executor.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/** Which start-up states make the executor ready, and what a halt or the dead-man switch do to it (nothing). */
class StartUpReadinessTest {

    private final AtomicBoolean recovered = new AtomicBoolean();
    private final AtomicBoolean caughtUp = new AtomicBoolean();
    private final AtomicReference<AttackException> refusal = new AtomicReference<>();
    private final StartUpReadiness check = new StartUpReadiness(recovered::get, caughtUp::get, refusal::get);

    @Test
    void shouldBeDownWhileStartUpRecoveryRuns() {
        // Given
        caughtUp.set(true);

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.DOWN);
        assertThat(data(response)).containsEntry("start-up-recovery", "reverting what a previous executor left");
    }

    @Test
    void shouldBeDownUntilTheSafetyFeedHasCaughtUp() {
        // Given
        recovered.set(true);

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.DOWN);
        assertThat(data(response)).containsEntry("safety-feed", "reading the abort topic and run statuses");
    }

    @Test
    void shouldStayReadyButNameTheRefusalWhenTheDeadManSwitchRefusesStarts() {
        // Given
        recovered.set(true);
        caughtUp.set(true);
        refusal.set(new AttackException(Reason.DEAD_MAN_SWITCH, "dead-man switch: no guardian heartbeat"));

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.UP);
        assertThat(data(response)).containsEntry("run-starts", "refused: dead-man switch: no guardian heartbeat");
    }

    @Test
    void shouldBeReadyOnceRecoveredAndCaughtUp() {
        // Given
        recovered.set(true);
        caughtUp.set(true);

        // When
        HealthCheckResponse response = check.call();

        // Then
        assertThat(response.getStatus()).isEqualTo(Status.UP);
        assertThat(data(response)).containsEntry("start-up-recovery", "done").containsEntry("safety-feed", "caught up")
                .containsEntry("run-starts", "taken");
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }
}
