package io.tumult.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardedProcessTest {

    private static final Duration STOP = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void shouldEndWithAChildThatExitsOnItsOwnAndKeepItsStatus() throws Exception {
        // Given: a child that fails at start, as a service whose port is taken does
        try (var process = GuardedProcess.start("failing", List.of("sh", "-c", "echo cannot bind; exit 7"),
                dir.resolve("failing.log"), STOP)) {

            // Then: the guard does not outlive it, and tells why it ended
            await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
            assertThat(process.exitValue()).isEqualTo(7);
            assertThat(process.log()).contains("cannot bind");
            assertThat(process.processes()).noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    void shouldStopTheChildGracefullyWhenClosed() throws Exception {
        // Given: a running child
        try (var process = GuardedProcess.start("sleeper", List.of("sleep", "300"), dir.resolve("sleeper.log"),
                STOP)) {
            List<ProcessHandle> running = await().atMost(Duration.ofSeconds(10)).until(process::processes,
                    all -> all.stream().anyMatch(p -> p.info().command().orElse("").endsWith("sleep")));
            assertThat(process.isAlive()).isTrue();

            // When
            process.close();

            // Then: the child got SIGTERM (143), and nothing of the guard is left
            assertThat(process.isAlive()).isFalse();
            assertThat(process.exitValue()).isEqualTo(128 + 15);
            assertThat(running).noneMatch(ProcessHandle::isAlive);
        }
    }
}
