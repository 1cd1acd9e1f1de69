package io.tumult.executor.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The executor's settings for tests that build its parts without CDI. */
public record TestExecutorConfig(String id, int rememberedRuns, Duration commandTimeout,
        Duration shutdownPublishTimeout, Optional<List<String>> allowedNamespacePrefixes) implements ExecutorConfig {

    /** Test defaults: id {@code executor-test}, 100 remembered runs, 10 s commands, any namespace. */
    public static TestExecutorConfig defaults() {
        return new TestExecutorConfig("executor-test", 100, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Optional.empty());
    }

    /** The same settings, confined to namespaces starting with one of {@code prefixes}. */
    public TestExecutorConfig confinedTo(String... prefixes) {
        return new TestExecutorConfig(id, rememberedRuns, commandTimeout, shutdownPublishTimeout,
                Optional.of(List.of(prefixes)));
    }
}
