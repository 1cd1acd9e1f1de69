package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.v1.CgroupTarget;
import io.tumult.schemas.v1.CpuStress;

/** cpu-stress measured on its victim: the CPU time its cgroup uses, while in place and after the revert. */
@NeedsHostAttacks
class CpuStressAttackTest {

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
    void shouldKeepTheRequestedLoadInTheVictimsCgroupUntilReverted() throws Exception {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        Injection injection = attack.inject(runId, new CpuStress(1, 50), target);

        // Then: half a core requested; two shared cores under load give it less, never more than a core
        double busy = RunProcesses.coresBusy(victim.dir("cpuacct"), 3000);
        assertThat(busy).isBetween(0.1, 0.8);
        attack.recover(injection);
        assertThat(RunProcesses.tagged(runId)).isEmpty();
        assertThat(RunProcesses.runCgroup("cpu", victim, runId)).doesNotExist();
        assertThat(RunProcesses.runCgroup("cpuacct", victim, runId)).doesNotExist();
        assertThat(RunProcesses.coresBusy(victim.dir("cpuacct"), 500)).isLessThan(0.01);
    }

    @Test
    void shouldCompeteWithinTheVictimsCpuQuota() throws Exception {
        // Given: the victim may use a fifth of a core
        victim.write("cpu", "cpu.cfs_period_us", "100000");
        victim.write("cpu", "cpu.cfs_quota_us", "20000");
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new CpuStress(2, 100), target);

        // Then
        double busy = RunProcesses.coresBusy(victim.dir("cpuacct"), 3000);
        attack.recover(injection);
        assertThat(busy).isBetween(0.02, 0.3);
    }

    @Test
    void shouldStressOnceWhenInjectedTwiceAndTolerateARepeatedRecover() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new CpuStress(1, 10), target);
        Injection injection = attack.inject(runId, new CpuStress(1, 10), target);

        // Then: one stress-ng parent and its one worker
        assertThat(RunProcesses.tagged(runId)).hasSize(2);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(RunProcesses.tagged(runId)).isEmpty();
        assertThat(RunProcesses.runCgroup("cpu", victim, runId)).doesNotExist();
    }

    @Test
    void shouldRefuseACgroupOutsideTheAllowedPrefixesBeforeActing() {
        // Given
        var confined = new CpuStressAttack(TestExecutorConfig.defaults().allowingCgroups("/kubepods"));
        UUID runId = UUID.randomUUID();

        // When
        var refusedResolve = catchThrowableOfType(AttackException.class,
                () -> confined.resolve(new CgroupTarget(victim.path())));
        var refusedInject = catchThrowableOfType(AttackException.class,
                () -> confined.inject(runId, new CpuStress(1, 50), new ResolvedTarget("cgroup", victim.path())));

        // Then
        assertThat(refusedResolve.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(refusedResolve.getMessage()).contains("allowed prefix");
        assertThat(refusedInject.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(RunProcesses.runCgroup("cpu", victim, runId)).doesNotExist();
        assertThat(RunProcesses.tagged(runId)).isEmpty();
    }

    @Test
    void shouldRefuseACgroupThatDoesNotExist() {
        // When
        var refused = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(new CgroupTarget(victim.path() + "-no-such")));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
        assertThat(refused.getMessage()).contains("no cgroup");
    }

    @Test
    void shouldRefuseTheCgroupTheExecutorRunsIn() throws Exception {
        // Given: this JVM (the executor here) moved into the victim's cpu cgroup
        Path own = ownCpuCgroup();
        long pid = ProcessHandle.current().pid();
        Files.writeString(victim.dir("cpu").resolve("cgroup.procs"), Long.toString(pid));
        try {
            // When
            var refused = catchThrowableOfType(AttackException.class,
                    () -> attack.resolve(new CgroupTarget(victim.path())));

            // Then
            assertThat(refused.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(refused.getMessage()).contains("contains the executor itself");
        } finally {
            Files.writeString(own.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    private Path ownCpuCgroup() throws Exception {
        String path = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().map(l -> l.split(":", 3))
                .filter(f -> java.util.List.of(f[1].split(",")).contains("cpu")).map(f -> f[2]).findFirst()
                .orElseThrow();
        return Cgroups.host().dir("cpu", path);
    }
}
