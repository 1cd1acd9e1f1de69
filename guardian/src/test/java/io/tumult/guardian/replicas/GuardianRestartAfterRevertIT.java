package io.tumult.guardian.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalKafka;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * The judgement after a revert survives a restart: a packaged guardian sees a run through its verdict before
 * injection and its revert at the deadline, and is stopped before any sample after the revert; a fresh one, which
 * rereads the run's start past its deadline, must still judge the steady state on the samples that follow.
 */
class GuardianRestartAfterRevertIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String METRIC = "restart_errors";

    @Test
    void shouldJudgeTheSteadyStateAfterTheRevertWhenRestartedBetweenTheRevertAndTheSamples() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "restart-after-revert-it"));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        GuardedProcess first = null;
        GuardedProcess second = null;
        try (LocalKafka kafka = LocalKafka.start(); var events = new EventClient(kafka.bootstrapServers())) {
            // Given: a run of 8 s whose steady state held before injection, injected, and reverted at its deadline
            first = GuardianReplicasIT.start(kafka, "before-restart", work);
            UUID run = UUID.randomUUID();
            var steady = new Condition(METRIC, Comparison.LT, 0.05, Duration.ofSeconds(1), Aggregation.AVG, null,
                    null, null, Duration.ofSeconds(30));
            var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                    Duration.ofSeconds(8), null, List.of(steady), List.of(), null);
            var start = new RunStarted(run, "restart-it", Trigger.MANUAL, Instant.now(), spec);
            events.publish(EventType.RUN_STARTED, run.toString(), start, "/test");
            var sampling = sampler.scheduleAtFixedRate(() -> events.publishAsync(EventType.METRIC_SAMPLE,
                    run.toString(), new MetricSample(METRIC, 0.01, Instant.now(), run, Map.of()), "/test"), 0, 100,
                    TimeUnit.MILLISECONDS);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> !verdicts(events, run).isEmpty());
            sampling.cancel(false);
            events.publish(EventType.RUN_STATUS, run.toString(), status(run, RunPhase.INJECTED, Instant.now()),
                    "/test");
            await().atMost(WAIT).until(() -> !Instant.now().isBefore(start.deadline())); // the fault's deadline
            events.publish(EventType.RUN_STATUS, run.toString(), status(run, RunPhase.REVERTED, Instant.now()),
                    "/test");

            // When: the guardian is replaced by a fresh one, and healthy samples follow the revert
            first.close();
            first = null;
            second = GuardianReplicasIT.start(kafka, "after-restart", work);
            sampler.scheduleAtFixedRate(() -> events.publishAsync(EventType.METRIC_SAMPLE, run.toString(),
                    new MetricSample(METRIC, 0.01, Instant.now(), run, Map.of()), "/test"), 0, 100,
                    TimeUnit.MILLISECONDS);

            // Then: the fresh guardian resumed the run and says the steady state held after the revert
            List<SteadyStateVerdict> verdicts = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> verdicts(events, run), vs -> vs.stream().anyMatch(SteadyStateVerdict::afterRevert));
            assertThat(verdicts.get(0).stage()).isEqualTo(SteadyStateStage.BEFORE_INJECTION);
            assertThat(verdicts).filteredOn(SteadyStateVerdict::afterRevert).singleElement().satisfies(v -> {
                assertThat(v.held()).isTrue();
                assertThat(v.source()).isEqualTo("guardian/after-restart");
                assertThat(v.message()).contains("steady state held after the revert", METRIC);
            });
            second.close(); // while the broker is up, so that it stops at once
            second = null;
        } finally {
            sampler.shutdownNow();
            if (first != null) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
        }
    }

    private static List<SteadyStateVerdict> verdicts(EventClient events, UUID run) {
        return events.readAll(Topics.RUN_VERDICTS).stream().filter(r -> run.toString().equals(r.key()))
                .map(ConsumerRecord::value).map(v -> TumultJson.decode(EventType.STEADY_STATE_VERDICT, v)).toList();
    }

    private static RunStatus status(UUID run, RunPhase phase, Instant at) {
        return new RunStatus(run, "restart-it", phase, at, "executor-test", phase.name(),
                List.of("network-namespace/victim"), null);
    }
}
