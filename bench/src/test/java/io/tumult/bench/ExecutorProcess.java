package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

import io.tumult.local.FreePort;
import io.tumult.local.GuardedProcess;

/** The packaged executor in a JVM of its own, for the benches that time faults on a victim. */
final class ExecutorProcess {

    private static final Duration GROUP_WAIT = Duration.ofSeconds(90);

    private ExecutorProcess() {
    }

    /**
     * Starts the packaged executor ({@code executor/target/quarkus-app}) on {@code bootstrapServers}, confined to the
     * network namespace {@code victim}, its log at {@code work/executor-<name>.log}; returns once it started and is the
     * only member of the executors' group holding the run-start partitions. {@code -DexecutorJvmArgs} and
     * {@code extraArgs} add JVM options.
     */
    static GuardedProcess start(String bootstrapServers, String victim, Path work, String name, String extraArgs)
            throws IOException, InterruptedException {
        Path jar = Path.of("..", "executor", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the packaged executor (built by the reactor before bench)").isRegularFile();
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dkafka.bootstrap.servers=" + bootstrapServers,
                "-Dquarkus.http.port=" + FreePort.pick(),
                "-Dtumult.executor.id=latency-bench",
                // confined to this bench's victim: its start-up sweep must not touch another suite's namespaces
                "-Dtumult.executor.allowed-namespace-prefixes=" + victim,
                "-Dtumult.executor.journal-dir=" + work.resolve("journal"),
                // the killed executor's membership would hold the run-start partitions for the default 45 s
                "-Dmp.messaging.incoming.run-start.session.timeout.ms=6000"));
        // e.g. -DexecutorJvmArgs=-Dquarkus.log.category.io.tumult.executor.run.RunEngine.level=DEBUG (the start
        // path's split per run, in the logs kept under target/)
        String extra = (System.getProperty("executorJvmArgs", "") + " " + extraArgs).strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        Path log = work.resolve("executor-" + name + ".log");
        GuardedProcess executor = GuardedProcess.start("executor", command, log, Duration.ofSeconds(20));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!executor.log().contains(" started in ")) {
            if (!executor.isAlive() || System.nanoTime() > deadline) {
                String tail = executor.logTail(40);
                executor.close();
                throw new IllegalStateException("executor did not start:\n" + tail);
            }
            Thread.sleep(50); // polling its log: there is no event to await
        }
        awaitSoleMemberOwnsTheRunStarts(bootstrapServers);
        return executor;
    }

    /** Waits until the executors' group is stable with one member (this executor) holding the run-start partitions. */
    private static void awaitSoleMemberOwnsTheRunStarts(String bootstrapServers)
            throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            long deadline = System.nanoTime() + GROUP_WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("tumult-executor"))
                            .describedGroups().get("tumult-executor").get(5, TimeUnit.SECONDS);
                    if (group.groupState() == GroupState.STABLE && group.members().size() == 1
                            && !group.members().iterator().next().assignment().topicPartitions().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // the group is not there yet: ask again
                }
                Thread.sleep(100); // polling the broker's view of the group: there is no event to await
            }
            throw new AssertionError("the executor did not get the run-start partitions within " + GROUP_WAIT);
        }
    }

    /** The executor's JVM: the guarded process's child. */
    static ProcessHandle javaOf(GuardedProcess executor) {
        return executor.processes().stream().filter(p -> p.info().command().orElse("").endsWith("java"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no executor JVM among " + executor.processes()));
    }
}
