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
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.CgroupTarget;
import io.tumult.schemas.v1.DiskFill;

/** disk-fill measured on its victim: a 32 MiB tmpfs's free space and the run's file, in place and after the revert. */
@NeedsHostAttacks
class DiskFillAttackTest {

    private static final long MIB = 1024 * 1024;

    private VictimCgroup victim;
    private SmallTmpfs fs;
    private DiskFillAttack attack;

    @BeforeEach
    void createVictim() {
        victim = VictimCgroup.create();
        fs = SmallTmpfs.mount(32);
        attack = new DiskFillAttack(TestExecutorConfig.defaults().allowingPaths(fs.dir().toString()));
    }

    @AfterEach
    void removeVictim() {
        try {
            victim.close();
        } finally {
            fs.close();
        }
    }

    @Test
    void shouldFillTheFilesystemByTheRequestedBytesAndRemoveTheFileOnRecover() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        long freeBefore = fs.usable();
        UUID runId = UUID.randomUUID();

        // When
        Injection injection = attack.inject(runId, new DiskFill(fs.dir().toString(), 8 * MIB, null), target);

        // Then
        Path file = fs.dir().resolve("tumult-" + runId + ".fill");
        assertThat(file).hasSize(8 * MIB);
        assertThat(fs.usable()).isLessThanOrEqualTo(freeBefore - 8 * MIB);
        attack.recover(injection);
        assertThat(file).doesNotExist();
        assertThat(fs.usable()).isEqualTo(freeBefore);
        assertThat(RunProcesses.runCgroup("memory", victim, runId)).doesNotExist();
    }

    @Test
    void shouldFillAShareOfTheFilesystemOnceWhenInjectedTwice() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new DiskFill(fs.dir().toString(), null, 50), target);
        Injection injection = attack.inject(runId, new DiskFill(fs.dir().toString(), null, 50), target);

        // Then: half of 32 MiB, once
        assertThat(fs.usable()).isBetween(15 * MIB, 17 * MIB);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(fs.usable()).isEqualTo(32 * MIB);
    }

    @Test
    void shouldRemoveTheFileWithTheUndoCommandsAlone() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();
        Injection injection = attack.inject(runId, new DiskFill(fs.dir().toString(), 4 * MIB, null), target);

        // When: the undo runs without the executor, twice (a guard, then start-up recovery)
        for (int i = 0; i < 2; i++) {
            injection.undo().forEach(command -> ProcessRunner.run(command.toArray(String[]::new)).orThrow());
        }

        // Then
        assertThat(fs.dir().resolve("tumult-" + runId + ".fill")).doesNotExist();
        assertThat(fs.usable()).isEqualTo(32 * MIB);
        assertThat(RunProcesses.runCgroup("memory", victim, runId)).doesNotExist();
    }

    @Test
    void shouldRefuseAPathOutsideTheAllowedPathsBeforeActing() throws Exception {
        // Given: a directory beside the allowed tmpfs, and an executor that allows no path at all
        Path outside = Files.createTempDirectory("tumult-test-" + ProcessHandle.current().pid() + "-outside-");
        var unconfigured = new DiskFillAttack(TestExecutorConfig.defaults());
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        try {
            // When
            var refusedOutside = catchThrowableOfType(AttackException.class,
                    () -> attack.inject(UUID.randomUUID(), new DiskFill(outside.toString(), MIB, null), target));
            var refusedByDefault = catchThrowableOfType(AttackException.class,
                    () -> unconfigured.inject(UUID.randomUUID(), new DiskFill(fs.dir().toString(), MIB, null), target));
            var refusedMissing = catchThrowableOfType(AttackException.class, () -> attack.inject(UUID.randomUUID(),
                    new DiskFill(fs.dir().resolve("no-such-dir").toString(), MIB, null), target));

            // Then
            assertThat(refusedOutside.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(refusedOutside.getMessage()).contains("outside the allowed paths");
            assertThat(refusedByDefault.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(refusedByDefault.getMessage()).contains("no path is allowed");
            assertThat(refusedMissing.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
            try (var left = Files.list(outside)) {
                assertThat(left).isEmpty();
            }
            assertThat(fs.usable()).isEqualTo(32 * MIB);
        } finally {
            Files.deleteIfExists(outside);
        }
    }
}
