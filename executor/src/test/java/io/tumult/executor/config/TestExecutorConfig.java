package io.tumult.executor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The executor's settings for tests that build its parts without CDI. */
public record TestExecutorConfig(String id, int rememberedRuns, Duration commandTimeout, Duration shutdownPublishTimeout,
        Optional<List<String>> allowedNamespacePrefixes, Path journalDir, Duration revertGrace,
        List<String> allowedCgroupPrefixes, Optional<List<String>> allowedPaths,
        Optional<List<String>> allowedProcessPatterns) implements ExecutorConfig {

    /**
     * Test defaults: id {@code executor-test}, 100 remembered runs, 10 s commands, any namespace, a journal under
     * {@code target/}, 1 s revert grace; the mapping's host allow-lists (cgroups under {@code /tumult}, no paths, no
     * processes).
     */
    public static TestExecutorConfig defaults() {
        return new TestExecutorConfig("executor-test", 100, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Optional.empty(), Path.of("target", "test-journal"), Duration.ofSeconds(1), List.of("/tumult"),
                Optional.empty(), Optional.empty());
    }

    /** The same settings for the instance {@code id}. */
    public TestExecutorConfig withId(String id) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                allowedNamespacePrefixes, journalDir, revertGrace, allowedCgroupPrefixes, allowedPaths,
                allowedProcessPatterns);
    }

    /** The same settings, confined to namespaces starting with one of {@code prefixes}. */
    public TestExecutorConfig confinedTo(String... prefixes) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                Optional.of(List.of(prefixes)), journalDir, revertGrace, allowedCgroupPrefixes, allowedPaths,
                allowedProcessPatterns);
    }

    /** The same settings, journaling in {@code dir}. */
    public TestExecutorConfig journalingIn(Path dir) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout, allowedNamespacePrefixes, dir,
                revertGrace, allowedCgroupPrefixes, allowedPaths, allowedProcessPatterns);
    }

    /** The same settings with another revert grace. */
    public TestExecutorConfig withRevertGrace(Duration grace) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout, allowedNamespacePrefixes,
                journalDir, grace, allowedCgroupPrefixes, allowedPaths, allowedProcessPatterns);
    }

    /** The same settings, allowing cgroups starting with one of {@code prefixes}. */
    public TestExecutorConfig allowingCgroups(String... prefixes) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout, allowedNamespacePrefixes,
                journalDir, revertGrace, List.of(prefixes), allowedPaths, allowedProcessPatterns);
    }

    /** The same settings, allowing disk-fill and io-stress under {@code paths}. */
    public TestExecutorConfig allowingPaths(String... paths) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout, allowedNamespacePrefixes,
                journalDir, revertGrace, allowedCgroupPrefixes, Optional.of(List.of(paths)), allowedProcessPatterns);
    }

    /** The same settings, allowing process-kill on command lines matching one of {@code patterns}. */
    public TestExecutorConfig allowingProcesses(String... patterns) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout, allowedNamespacePrefixes,
                journalDir, revertGrace, allowedCgroupPrefixes, allowedPaths, Optional.of(List.of(patterns)));
    }
}
