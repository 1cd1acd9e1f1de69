package io.tumult.schemas.v1;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which attack acts on which target, as submission refuses it (the scheduler answers 400 naming the reason). */
class AttackTargetsTest {

    private static final PodTarget POD = new PodTarget("shop", Map.of("app", "cart"), SelectionMode.ONE, null);
    private static final ProcessTarget PROCESS = new ProcessTarget("worker", null, null, null);

    @Test
    void shouldTakeAProcessKillOnAPodOnlyWithTheProcessesItSignalsInTheContainers() {
        // When
        var named = AttackTargets.misfit(new ProcessKill("KILL", null, "worker", null), POD);
        var unnamed = AttackTargets.misfit(new ProcessKill("KILL", null), POD);

        // Then
        assertThat(named).isEmpty();
        assertThat(unnamed).hasValueSatisfying(why -> assertThat(why).contains("pod target").contains("name or pattern"));
    }

    @Test
    void shouldRefuseAProcessKillNamingProcessesOnAProcessTarget() {
        // When
        var doubled = AttackTargets.misfit(new ProcessKill("KILL", null, null, "worker"), PROCESS);
        var plain = AttackTargets.misfit(new ProcessKill("KILL", null), PROCESS);

        // Then
        assertThat(doubled).hasValueSatisfying(why -> assertThat(why).contains("takes no name or pattern"));
        assertThat(plain).isEmpty();
    }

    @Test
    void shouldNameBothKindsWhenAnAttackCannotActOnATarget() {
        // When
        var misfit = AttackTargets.misfit(new ScaleDown(0), POD);

        // Then
        assertThat(misfit).hasValueSatisfying(why -> assertThat(why).contains("scale-down").contains("pod"));
    }
}
