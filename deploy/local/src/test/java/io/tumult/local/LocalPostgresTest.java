package io.tumult.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class LocalPostgresTest {

    @Test
    void shouldStopPostgresWhenTheJvmThatStartedItIsKilled() throws Exception {
        // Given: a JVM that started PostgreSQL, and the postmaster with its children
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                PostgresInChildJvm.class.getName()).redirectErrorStream(true).start();
        List<ProcessHandle> postgres = new ArrayList<>();
        try {
            long pid = postmasterPid(jvm);
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
            postgres.add(postmaster);
            postmaster.descendants().forEach(postgres::add);
            // (only the postmaster is sure to be alive now: a backend of the JVM's last connection may be exiting)
            assertThat(postmaster.isAlive()).as("postmaster running").isTrue();
            assertThat(postgres).as("postmaster and its children").hasSizeGreaterThan(1);

            // When
            jvm.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs

            // Then: the postmaster and every child of it are gone within seconds
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (postgres.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling an awaited condition
            }
            assertThat(postgres).noneMatch(ProcessHandle::isAlive);
        } finally {
            jvm.destroyForcibly();
            postgres.forEach(p -> p.destroyForcibly());
        }
    }

    private static long postmasterPid(Process jvm) throws Exception {
        var out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        var seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("postmaster ")) {
                return Long.parseLong(line.substring("postmaster ".length()).strip());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child JVM ended without starting PostgreSQL:\n" + seen);
    }
}
