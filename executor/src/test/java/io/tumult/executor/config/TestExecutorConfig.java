package io.tumult.executor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The executor's settings for tests that build its parts without CDI. */
public record TestExecutorConfig(String id, int rememberedRuns, Duration commandTimeout,
        Duration shutdownPublishTimeout, Optional<List<String>> allowedNamespacePrefixes, Path journalDir,
        Duration revertGrace) implements ExecutorConfig {

    /**
     * Test defaults: id {@code executor-test}, 100 remembered runs, 10 s commands, any namespace, a journal under
     * {@code target/}, 1 s revert grace.
     */
    public static TestExecutorConfig defaults() {
        return new TestExecutorConfig("executor-test", 100, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Optional.empty(), Path.of("target", "test-journal"), Duration.ofSeconds(1));
    }

    /** The same settings, journaling in {@code dir}. */
    public TestExecutorConfig journalingIn(Path dir) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                allowedNamespacePrefixes, dir, revertGrace);
    }

    /** The same settings with another revert grace. */
    public TestExecutorConfig withRevertGrace(Duration grace) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                allowedNamespacePrefixes, journalDir, grace);
    }

    /** The same settings, confined to namespaces starting with one of {@code prefixes}. */
    public TestExecutorConfig confinedTo(String... prefixes) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                Optional.of(List.of(prefixes)), journalDir, revertGrace);
    }
}
