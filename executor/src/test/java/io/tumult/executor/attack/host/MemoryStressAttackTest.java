package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
import io.tumult.schemas.v1.MemoryStress;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** memory-stress measured on its victim: the memory charged to the victim's cgroup, in place and after the revert. */
@NeedsHostAttacks
class MemoryStressAttackTest {

    private static final long MIB = 1024 * 1024;

    private final MemoryStressAttack attack = new MemoryStressAttack(TestExecutorConfig.defaults());
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
    void shouldHoldTheRequestedBytesInTheVictimsCgroupUntilReverted() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        Injection injection = attack.inject(runId, new MemoryStress(64 * MIB, null), target);

        // Then
        await().atMost(Duration.ofSeconds(20)).until(() -> victimUsage() >= 60 * MIB);
        assertThat(victimUsage()).isLessThan(96 * MIB);
        attack.recover(injection);
        assertThat(victimUsage()).isLessThan(8 * MIB);
        assertThat(RunProcesses.tagged(runId)).isEmpty();
        assertThat(RunProcesses.runCgroup("memory", victim, runId)).doesNotExist();
    }

    @Test
    void shouldTakeAPercentageOfTheVictimsMemoryLimit() {
        // Given: the victim may use 128 MiB
        victim.write("memory", "memory.limit_in_bytes", Long.toString(128 * MIB));
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new MemoryStress(null, 50), target);

        // Then
        try {
            assertThat(injection.handle().get(MemoryStressAttack.BYTES)).isEqualTo(Long.toString(64 * MIB));
            await().atMost(Duration.ofSeconds(20)).until(() -> victimUsage() >= 60 * MIB);
        } finally {
            attack.recover(injection);
        }
        assertThat(victimUsage()).isLessThan(8 * MIB);
    }

    @Test
    void shouldRefuseATargetThatIsNotACgroup() {
        // When
        var refused = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(new NetworkNamespaceTarget("tumult-test-ns")));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.UNSUPPORTED_KIND);
        assertThat(refused.getMessage()).contains("cgroup targets");
    }

    private long victimUsage() {
        return RunProcesses.readLong(victim.dir("memory").resolve("memory.usage_in_bytes"));
    }
}
