package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.v1.CgroupTarget;
import io.tumult.schemas.v1.IoStress;

/**
 * io-stress measured on its victim: the bytes the tasks of the victim's cgroup write ({@code /proc/<pid>/io}; the
 * filesystem is a small tmpfs, which has no block device for blkio statistics), in place and after the revert.
 */
@NeedsHostAttacks
class IoStressAttackTest {

    private static final long MIB = 1024 * 1024;

    private VictimCgroup victim;
    private SmallTmpfs fs;
    private IoStressAttack attack;

    @BeforeEach
    void createVictim() {
        victim = VictimCgroup.create();
        fs = SmallTmpfs.mount(32);
        attack = new IoStressAttack(TestExecutorConfig.defaults().allowingPaths(fs.dir().toString()));
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
    void shouldKeepTheVictimsCgroupWritingUntilReverted() throws IOException {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        Injection injection = attack.inject(runId, new IoStress(fs.dir().toString(), 1, 4 * MIB), target);

        // Then: the workers write megabytes, in the run's directory only
        Path runDir = fs.dir().resolve("tumult-" + runId);
        long before = writtenBy(RunProcesses.runCgroup("blkio", victim, runId));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> writtenBy(RunProcesses.runCgroup("blkio", victim, runId)) - before > 8 * MIB);
        assertThat(runDir).isDirectory();
        attack.recover(injection);
        assertThat(RunProcesses.tagged(runId)).isEmpty();
        assertThat(RunProcesses.runCgroup("blkio", victim, runId)).doesNotExist();
        assertThat(runDir).doesNotExist();
        assertThat(fs.usable()).isEqualTo(32 * MIB);
    }

    @Test
    void shouldStressOnceWhenInjectedTwice() {
        // Given
        ResolvedTarget target = attack.resolve(new CgroupTarget(victim.path())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new IoStress(fs.dir().toString(), 1, 2 * MIB), target);
        Injection injection = attack.inject(runId, new IoStress(fs.dir().toString(), 1, 2 * MIB), target);

        // Then: one stress-ng parent and its one worker
        assertThat(RunProcesses.tagged(runId)).hasSize(2);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(RunProcesses.tagged(runId)).isEmpty();
    }

    /** Bytes written ({@code wchar}) by the tasks now in a cgroup. */
    private static long writtenBy(Path cgroupDir) throws IOException {
        long total = 0;
        for (String pid : Files.readAllLines(cgroupDir.resolve("cgroup.procs"))) {
            try {
                total += Files.readAllLines(Path.of("/proc", pid, "io")).stream().filter(l -> l.startsWith("wchar:"))
                        .mapToLong(l -> Long.parseLong(l.substring(6).strip())).sum();
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return total;
    }
}
