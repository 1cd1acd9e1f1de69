package io.tumult.guardian.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.FreePort;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalKafka;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * Replicas of the packaged guardian, each a JVM of its own, in one consumer group on a real broker. Sixteen runs
 * report healthy samples (keyed by run id) every 200 ms throughout; four of them breach while three replicas run,
 * four after one replica stopped, four after every replica stopped and a fresh one started (it must resume the runs
 * from the topics). Every breached run is aborted for its breach, and no run is ever aborted for no data or by
 * mistake: the healthy four get no abort at all.
 */
class GuardianReplicasIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String METRIC = "replica_errors";

    private final Set<UUID> healthy = ConcurrentHashMap.newKeySet();
    /** Sends the healthy samples, and the breaches: so that no healthy sample of a run is timed after its breach. */
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();

    @Test
    void shouldAbortExactlyTheBreachedRunsAcrossReplicasAStopAndARestart() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "replicas-it"));
        var guardians = new ArrayList<GuardedProcess>();
        try (LocalKafka kafka = LocalKafka.start(); var events = new EventClient(kafka.bootstrapServers())) {
            // Given three replicas and sixteen runs reporting healthy samples
            for (int i = 1; i <= 3; i++) {
                guardians.add(start(kafka, "replica-" + i, work));
            }
            List<UUID> runs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                UUID run = UUID.randomUUID();
                var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                        Duration.ofMinutes(30), null, null,
                        List.of(new Condition(METRIC, Comparison.GT, 0.5, Duration.ofSeconds(5), Aggregation.LAST)),
                        null);
                events.publish(EventType.RUN_STARTED, run.toString(),
                        new RunStarted(run, "replicas-it", Trigger.MANUAL, Instant.now(), spec), "/test");
                runs.add(run);
                healthy.add(run);
            }
            feeder.scheduleAtFixedRate(() -> healthy.forEach(run -> events.publishAsync(EventType.METRIC_SAMPLE,
                    run.toString(), new MetricSample(METRIC, 0.1, Instant.now(), run, Map.of()), "/test")), 0, 200,
                    TimeUnit.MILLISECONDS);

            // When four breach under three replicas
            breachAndAwaitAborts(events, runs.subList(0, 4));

            // ... four after one replica stopped (its partitions move to the others, which rebuild their runs)
            guardians.remove(0).close();
            breachAndAwaitAborts(events, runs.subList(4, 8));

            // ... and four after every replica stopped and a fresh one started, which resumes the runs from the topics
            guardians.forEach(GuardedProcess::close);
            guardians.clear();
            guardians.add(start(kafka, "replica-4", work));
            breachAndAwaitAborts(events, runs.subList(8, 12));

            // Then: only breaches aborted, each for its breach; the healthy four, sampled all along, were never aborted
            List<ConsumerRecord<String, byte[]>> all = events.readAll(Topics.RUN_ABORT);
            Set<String> breached = Set.copyOf(runs.subList(0, 12).stream().map(UUID::toString).toList());
            for (ConsumerRecord<String, byte[]> r : all) {
                RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, r.value());
                assertThat(r.key()).as("an abort of a run that breached").isIn(breached);
                assertThat(abort.reason().kind()).as("abort of %s: %s", r.key(), abort.reason().message())
                        .isEqualTo(AbortKind.AUTO_ABORT);
            }
            assertThat(all).extracting(ConsumerRecord::key).containsAll(breached);
            // the fresh replica judged the healthy runs' samples for longer than no-data-after (3 s) without an abort
            assertThat(guardians.get(0).log()).contains("resumed judging samples");
        } finally {
            feeder.shutdownNow();
            guardians.forEach(GuardedProcess::close);
        }
    }

    private void breachAndAwaitAborts(EventClient events, List<UUID> runs) throws Exception {
        feeder.submit(() -> {
            for (UUID run : runs) {
                healthy.remove(run);
                events.publish(EventType.METRIC_SAMPLE, run.toString(),
                        new MetricSample(METRIC, 1.0, Instant.now(), run, Map.of()), "/test");
            }
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Set<String> keys = Set.copyOf(runs.stream().map(UUID::toString).toList());
        // like an executor, each aborted run is reported ended as soon as its abort is seen, so the guardians forget
        // it (a replica that rebuilds its runs meanwhile would otherwise watch it again, silent since its breach)
        Set<String> ended = ConcurrentHashMap.newKeySet();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (ConsumerRecord<String, byte[]> abort : events.readAll(Topics.RUN_ABORT)) {
                if (keys.contains(abort.key()) && ended.add(abort.key())) {
                    events.publish(EventType.RUN_STATUS, abort.key(), new RunStatus(UUID.fromString(abort.key()),
                            "replicas-it", RunPhase.ABORTED, Instant.now(), "executor-test", "aborted",
                            List.of("network-namespace/victim"), null), "/test");
                }
            }
            return ended.size() == keys.size();
        });
    }

    /** Starts the packaged guardian as replica {@code id}; returns once it judges samples (its runs rebuilt). */
    static GuardedProcess start(LocalKafka kafka, String id, Path work) throws IOException,
            InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("the packaged guardian (package runs before integration tests)").isRegularFile();
        Files.deleteIfExists(work.resolve(id + ".log")); // a log left by an earlier run would pass for this one's
        var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dquarkus.http.port=" + FreePort.pick(), "-Dtumult.guardian.id=" + id,
                "-Dtumult.guardian.no-data-after=3s", "-jar", jar.toString());
        GuardedProcess guardian = GuardedProcess.start(id, command, work.resolve(id + ".log"), Duration.ofSeconds(15));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!guardian.log().contains("resumed judging samples")) {
            if (!guardian.isAlive() || System.nanoTime() > deadline) {
                String tail = guardian.logTail(40);
                guardian.close();
                throw new IllegalStateException(id + " did not start:\n" + tail);
            }
            Thread.sleep(100); // polling its log: there is no event to await
        }
        return guardian;
    }
}
