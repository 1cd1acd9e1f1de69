package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.ProcessKill;
import io.tumult.schemas.v1.ProcessTarget;

/**
 * process-kill measured on its victims: {@code sleep} processes this test starts, with a unique duration as their
 * mark ({@code sleep 1000.<n>}), found dead, restarted by a supervisor loop and dead again, or left alone. They are
 * started detached ({@code setsid -f}): this JVM plays the executor, and the executor never signals its own children.
 */
@NeedsHostAttacks
class ProcessKillAttackTest {

    private final String mark = "1000." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    private final String victimPattern = "^sleep " + mark.replace(".", "\\.") + "$";
    private final ProcessKillAttack attack = new ProcessKillAttack(
            TestExecutorConfig.defaults().allowingProcesses("^sleep 1000\\.[0-9]+$"));

    @AfterEach
    void stopVictims() {
        attack.close();
        // everything this test started carries its mark in its command line
        ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(mark))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void shouldKillTheVictimOnceWithoutAnInterval() throws Exception {
        // Given
        ProcessHandle victim = start("sleep " + mark);
        ResolvedTarget target = attack.resolve(new ProcessTarget(null, victimPattern, null, null)).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new ProcessKill("KILL", null), target);

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> !victim.isAlive());
        attack.recover(injection);
        attack.recover(injection);
    }

    @Test
    void shouldKillTheRestartedVictimAgainAtEveryIntervalUntilReverted() throws Exception {
        // Given: a supervisor that restarts its sleep whenever it dies
        ProcessHandle supervisor = start("sh -c while :; do sleep " + mark + "; done");
        await().atMost(Duration.ofSeconds(10)).until(() -> victims(supervisor).size() == 1);
        ResolvedTarget target = attack.resolve(new ProcessTarget(null, victimPattern, null, null)).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new ProcessKill("TERM", Duration.ofMillis(300)), target);

        // Then: three generations of the victim die while the killer runs
        Set<Long> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            seen.addAll(victims(supervisor));
            return seen.size() >= 4;
        });
        attack.recover(injection);
        List<Long> survivor = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            survivor.clear();
            survivor.addAll(victims(supervisor));
            return survivor.size() == 1;
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> victims(supervisor).equals(survivor));
        assertThat(supervisor.isAlive()).isTrue();
    }

    @Test
    void shouldKillOnlyInsideTheTargetsPidNamespace() throws Exception {
        // Given: the same command inside a new PID namespace (as pid 2 there) and outside it, on the host
        ProcessHandle outside = start("sleep " + mark);
        ProcessHandle init = start("sh -c sleep " + mark + " & wait", "unshare", "--pid", "--fork", "--kill-child",
                "--mount-proc", "sh", "-c", "sleep " + mark + " & wait");
        await().atMost(Duration.ofSeconds(10)).until(() -> init.children().anyMatch(this::isVictim));
        ResolvedTarget target = attack.resolve(new ProcessTarget(null, null, 2, (int) init.pid())).get(0);
        // When
        attack.inject(UUID.randomUUID(), new ProcessKill("KILL", null), target);

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> init.children().noneMatch(this::isVictim));
        assertThat(outside.isAlive()).isTrue();
    }

    @Test
    void shouldStopTheVictimAndLetTheUndoCommandContinueIt() throws Exception {
        // Given
        ProcessHandle victim = start("sleep " + mark);
        ResolvedTarget target = attack.resolve(new ProcessTarget(null, victimPattern, null, null)).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new ProcessKill("STOP", null), target);

        // Then: stopped, and running again once the undo ran without the executor
        await().atMost(Duration.ofSeconds(10)).until(() -> state(victim.pid()) == 'T');
        injection.undo().forEach(command -> ProcessRunner.run(command.toArray(String[]::new)));
        await().atMost(Duration.ofSeconds(10)).until(() -> state(victim.pid()) == 'S');
    }

    @Test
    void shouldRefusePid1TheExecutorAndProcessesOutsideTheAllowedPatternsBeforeActing() throws Exception {
        // Given
        ProcessHandle victim = start("sleep " + mark);
        var permissive = new ProcessKillAttack(TestExecutorConfig.defaults().allowingProcesses(".*"));
        var unconfigured = new ProcessKillAttack(TestExecutorConfig.defaults());
        try {
            // When
            var pid1 = refusal(permissive, new ProcessTarget(null, null, 1, null));
            var self = refusal(permissive,
                    new ProcessTarget(null, null, (int) ProcessHandle.current().pid(), null));
            var notAllowed = refusal(unconfigured, new ProcessTarget(null, victimPattern, null, null));
            var missing = refusal(attack, new ProcessTarget("tumult-no-such-process", null, null, null));
            var noNamespace = refusal(attack, new ProcessTarget(null, victimPattern, null, Integer.MAX_VALUE));

            // Then
            assertThat(pid1.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(pid1.getMessage()).contains("PID 1");
            assertThat(self.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(self.getMessage()).contains("the executor");
            assertThat(notAllowed.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(notAllowed.getMessage()).contains("allowed pattern");
            assertThat(missing.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
            assertThat(noNamespace.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
            assertThat(victim.isAlive()).isTrue();
        } finally {
            permissive.close();
            unconfigured.close();
        }
    }

    private static AttackException refusal(ProcessKillAttack attack, ProcessTarget target) {
        return catchThrowableOfType(AttackException.class, () -> attack.inject(UUID.randomUUID(),
                new ProcessKill("KILL", null), new ResolvedTarget(ProcessTarget.KIND, Processes.describe(target))));
    }

    /**
     * Starts a command detached and finds it by {@code commandLine}: {@code command} when given, else the words of
     * {@code commandLine} ({@code sh -c <script>} keeps its script as one word).
     */
    private ProcessHandle start(String commandLine, String... command) {
        var argv = new ArrayList<>(List.of("setsid", "-f"));
        if (command.length > 0) {
            argv.addAll(List.of(command));
        } else if (commandLine.startsWith("sh -c ")) {
            argv.addAll(List.of("sh", "-c", commandLine.substring(6)));
        } else {
            argv.addAll(List.of(commandLine.split(" ")));
        }
        try {
            // not ProcessRunner: the detached child keeps the output pipes open, so never read them
            Process setsid = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(setsid.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<ProcessHandle> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            found.clear();
            ProcessHandle.allProcesses().filter(p -> commandLine(p).equals(commandLine))
                    .forEach(found::add);
            return found.size() == 1;
        });
        return found.get(0);
    }

    private boolean isVictim(ProcessHandle p) {
        return commandLine(p).equals("sleep " + mark);
    }

    /** The command line as the kernel has it ({@code ProcessHandle.Info} rewrites the command to its full path). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    private List<Long> victims(ProcessHandle supervisor) {
        return supervisor.children().filter(this::isVictim).map(ProcessHandle::pid).toList();
    }

    private static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
