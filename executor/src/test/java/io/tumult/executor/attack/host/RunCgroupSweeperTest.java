package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.LeftoverSweeper.Swept;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.v1.CgroupTarget;
import io.tumult.schemas.v1.CpuStress;

/** Start-up recovery of resource attacks: stressors an executor left behind are found by their cgroup and stopped. */
@NeedsHostAttacks
class RunCgroupSweeperTest {

    private final CpuStressAttack attack = new CpuStressAttack(TestExecutorConfig.defaults());
    private VictimCgroup victim;

    @BeforeEach
    void createVictim() {
        victim = VictimCgroup.create();
    }

    @AfterEach
    void removeVictim() {
        victim.close();
    }

    @Test
    void shouldStopTheStressorsOfARunNoLongerActiveAndLeaveActiveOnesAlone() throws Exception {
        // Given: two stress runs in the victim, as a killed executor would leave them (nobody will recover them)
        var target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID left = UUID.randomUUID();
        UUID active = UUID.randomUUID();
        var activeInjection = attack.inject(active, new CpuStress(1, 20), target);
        attack.inject(left, new CpuStress(1, 20), target);
        var sweeper = new RunCgroupSweeper(TestExecutorConfig.defaults().allowingCgroups(victim.path()));
        try {
            assertThat(RunProcesses.runCgroup("cpu", victim, left)).exists();

            // When
            var swept = sweeper.sweep(active::equals);

            // Then: the leftover is gone, processes and cgroup; the active run still stresses its cgroup
            assertThat(swept).extracting(Swept::runId).containsExactly(Optional.of(left));
            assertThat(RunProcesses.tagged(left)).isEmpty();
            assertThat(RunProcesses.runCgroup("cpu", victim, left)).doesNotExist();
            assertThat(RunProcesses.runCgroup("cpuacct", victim, left)).doesNotExist();
            assertThat(RunProcesses.tagged(active)).isNotEmpty();
            assertThat(RunProcesses.runCgroup("cpu", victim, active)).exists();
        } finally {
            attack.recover(activeInjection);
            sweeper.sweep(id -> false);
        }
    }

    @Test
    void shouldNotLookOutsideTheAllowedPrefixes() {
        // Given: a leftover in the victim, but the executor may only touch cgroups under another prefix
        var target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID left = UUID.randomUUID();
        var injection = attack.inject(left, new CpuStress(1, 20), target);
        try {
            // When
            var swept = new RunCgroupSweeper(TestExecutorConfig.defaults().allowingCgroups("/tumult-elsewhere"))
                    .sweep(id -> false);

            // Then
            assertThat(swept).isEmpty();
            assertThat(RunProcesses.runCgroup("cpu", victim, left)).exists();
        } finally {
            attack.recover(injection);
        }
    }
}
