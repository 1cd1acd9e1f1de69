package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.ProcessRunner;
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
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.SteadyStateVerdict;
import io.tumult.schemas.v1.Trigger;

/**
 * The whole loop, for real: cron fire, run-start on the broker, a real network partition of the victim namespace,
 * the probe's loss metric breaching the autoAbort rule, the guardian's abort, the executor's revert, and the run's
 * history in PostgreSQL; and a run whose steady state does not hold, vetoed before anything is injected.
 */
@NeedsHostAttacks
class ChaosLoopIT {

    private static LocalLoop loop;

    @BeforeAll
    static void startTheLoop() throws Exception {
        Path home = Path.of(System.getProperty("tumult.home", "../../..")).toAbsolutePath().normalize();
        loop = LocalLoop.start(home, home.resolve("deploy/local/demo/target/it-logs"), System.out);
        loop.printTimeline(System.out);
    }

    @AfterAll
    static void stopTheLoop() {
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void shouldVetoARunWhoseSteadyStateDoesNotHoldAndInjectNothing() throws Exception {
        // Given: a run of a partition of the victim whose service's error rate must be under 1 % before it goes in,
        // while the service reports 20 %
        assertThat(loop.netns().lossPercent(20)).as("victim reachable before the run").isZero();
        var spec = new ExperimentSpec("checkout stays up", new NetworkNamespaceTarget(loop.netns().victimName()),
                new NetworkLoss(100), Duration.ofSeconds(30), null,
                List.of(new Condition("checkout_error_rate", Comparison.LT, 0.01, Duration.ofSeconds(1),
                        Aggregation.AVG)),
                List.of(), null);
        var run = new RunStarted(UUID.randomUUID(), "it-unsteady", Trigger.MANUAL, Instant.now(), spec);
        ScheduledExecutorService service = Executors.newSingleThreadScheduledExecutor();
        try (var kafka = new EventClient(loop.stack().config().get("kafka.bootstrap.servers"))) {
            service.scheduleAtFixedRate(() -> kafka.publishAsync(EventType.METRIC_SAMPLE, run.runId().toString(),
                    new MetricSample("checkout_error_rate", 0.2, Instant.now(), run.runId(), Map.of()), "/tumult/test"),
                    0, 100, TimeUnit.MILLISECONDS);

            // When
            kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

            // Then: the executor refused it on the guardian's verdict, having injected nothing
            RunStatus refused = awaitStatus(run, RunPhase.REFUSED);
            assertThat(refused.reason()).isEqualTo(StatusReason.STEADY_STATE);
            assertThat(refused.message()).contains("steady state did not hold", "checkout_error_rate");
            assertThat(refused.targets()).isEmpty();
        } finally {
            service.shutdownNow();
        }
        assertThat(loop.events().first(EventType.RUN_STATUS,
                s -> s.runId().equals(run.runId()) && s.phase() == RunPhase.INJECTED)).as("an injected status").isEmpty();
        var duringRun = loop.probe().history().stream().filter(o -> !o.at().isBefore(run.issuedAt()))
                .map(LossProbe.Observation::lossRatio).toList();
        assertThat(duringRun).as("probe measurements since the run-start").isNotEmpty().containsOnly(0.0);
        assertThat(loop.netns().lossPercent(20)).as("victim reachable after the veto").isZero();
        assertThat(ProcessRunner.run("ip", "netns", "exec", loop.netns().victimName(), "nft", "list", "tables").stdout())
                .as("nft tables in the victim").isBlank();
    }

    @Test
    void shouldAbortAndRevertAPartitionWhenTheVictimsLossBreachesTheAutoAbortRule() throws Exception {
        // Given
        assertThat(loop.netns().lossPercent(20)).as("victim reachable before the run").isZero();
        Instant fireAt = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        String experiment = loop.exampleExperiment("it-partition", LocalLoop.onceAt(fireAt));

        // When
        var created = loop.submit(experiment);

        // Then: the scheduler stored it and its cron published one run-start
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        LoopEvents events = loop.events();
        RunStarted started = await().atMost(Duration.ofSeconds(20))
                .until(() -> events.first(EventType.RUN_STARTED, s -> s.experiment().equals("it-partition")),
                        java.util.Optional::isPresent)
                .orElseThrow();
        assertThat(started.trigger()).isEqualTo(Trigger.CRON);
        var startRecord = events.seen().stream().filter(s -> s.event().equals(started)).findFirst().orElseThrow();
        assertThat(startRecord.key()).isEqualTo(started.runId().toString());
        assertThat(startRecord.ceType()).isEqualTo(EventType.RUN_STARTED.ceType());

        // Then: the guardian found its steady state held (the victim reachable), the executor injected, and the
        // victim was cut off while the fault was active
        RunStatus injected = awaitStatus(started, RunPhase.INJECTED);
        assertThat(injected.targets()).containsExactly("network-namespace/" + loop.netns().victimName());

        // Then: the guardian's rule tripped on the probe's metric and it published the abort
        RunAborted abort = await().atMost(Duration.ofSeconds(15))
                .until(() -> events.first(EventType.RUN_ABORTED, a -> a.runId().equals(started.runId().toString())),
                        java.util.Optional::isPresent)
                .orElseThrow();
        assertThat(abort.source()).startsWith("guardian/");
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(abort.reason().condition().metric()).isEqualTo(LossProbe.METRIC);
        assertThat(abort.reason().condition().threshold()).isEqualTo(0.5);
        assertThat(abort.reason().observed()).isGreaterThan(0.5);

        // Then: the executor reverted on the abort and the victim is reachable again, with no rule left behind
        RunStatus aborted = awaitStatus(started, RunPhase.ABORTED);
        assertThat(aborted.abortReason()).isEqualTo(abort.reason());
        assertThat(loop.netns().lossPercent(20)).as("victim reachable after the revert").isZero();
        assertThat(ProcessRunner.run("ip", "netns", "exec", loop.netns().victimName(), "nft", "list", "tables").stdout())
                .as("nft tables left in the victim").isBlank();
        var whileActive = loop.probe().history().stream()
                .filter(o -> !o.at().isBefore(receivedAt(injected)) && o.at().isBefore(receivedAt(aborted)))
                .map(LossProbe.Observation::lossRatio).toList();
        assertThat(whileActive).as("probe measurements while the fault was active").isNotEmpty().contains(1.0);
        assertThat(events.seen().stream().filter(s -> s.event() instanceof RunStatus st
                && st.runId().equals(started.runId()) && st.phase().terminal())).as("one terminal status").hasSize(1);

        // Then: the scheduler's API (with the loop's bearer token) shows the run as aborted by the guardian
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var recorded = loop.get("/runs/" + started.runId());
            assertThat(recorded.statusCode()).as(recorded.body()).isEqualTo(200);
            assertThat(recorded.body()).contains("\"status\":\"ABORTED\"", "\"abortedBy\":\"guardian\"",
                    "\"kind\":\"auto-abort\"");
        });

        // Then: PostgreSQL holds the run's history as it happened
        Map<String, String> db = loop.stack().config();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (var c = DriverManager.getConnection(db.get("quarkus.datasource.jdbc.url"),
                    db.get("quarkus.datasource.username"), db.get("quarkus.datasource.password"))) {
                var run = c.prepareStatement(
                        "select status, reason, reason_kind, triggered_by, aborted_by from run where id = ?");
                run.setObject(1, started.runId());
                try (var rs = run.executeQuery()) {
                    assertThat(rs.next()).as("run row").isTrue();
                    assertThat(rs.getString("status")).isEqualTo("ABORTED");
                    assertThat(rs.getString("reason")).contains(LossProbe.METRIC);
                    assertThat(rs.getString("reason_kind")).isEqualTo("auto-abort");
                    assertThat(rs.getString("triggered_by")).isEqualTo("cron");
                    assertThat(rs.getString("aborted_by")).isEqualTo("guardian");
                }
                var history = c.prepareStatement("select phase from run_event where run_id = ? order by at, id");
                history.setObject(1, started.runId());
                List<String> phases = new ArrayList<>();
                try (var rs = history.executeQuery()) {
                    while (rs.next()) {
                        phases.add(rs.getString(1).toLowerCase());
                    }
                }
                assertThat(phases).containsExactly("injected", "aborted");
            }
        });
    }

    @Test
    void shouldPassARunOnlyOnceItsSteadyStateHeldAgainAfterTheRevert() throws Exception {
        // Given: 20 % loss on the victim for 3 s, under the autoAbort rule's 50 %
        awaitProbeSeesNoLoss();
        submitLossExperiment("it-loss-passes", true);

        // When it is run now
        UUID runId = runNow("it-loss-passes");

        // Then: the fault is measured on the victim while it is in place, and gone after the revert
        awaitStatus(runId, RunPhase.INJECTED);
        assertThat(loop.netns().lossPercent(100)).as("victim loss with the fault").isGreaterThan(5);
        RunStatus reverted = awaitStatus(runId, RunPhase.REVERTED);
        assertThat(loop.netns().lossPercent(50)).as("victim loss after the revert").isZero();

        // Then: the run passes once the guardian judged the steady state after the revert, not at the revert
        String passed = awaitRecorded(runId, "PASSED");
        assertThat(passed).contains("steady state held after the revert");
        SteadyStateVerdict after = loop.events().first(EventType.STEADY_STATE_VERDICT,
                v -> v.runId().equals(runId) && v.afterRevert()).orElseThrow();
        assertThat(after.held()).isTrue();
        assertThat(after.decidedAt()).isAfter(reverted.at());
    }

    @Test
    void shouldFailARunWhoseSteadyStateDoesNotComeBackAfterTheRevert() throws Exception {
        // Given: the same fault with no autoAbort rule
        awaitProbeSeesNoLoss();
        submitLossExperiment("it-loss-fails", false);
        UUID runId = runNow("it-loss-fails");
        awaitStatus(runId, RunPhase.INJECTED);
        String victim = loop.netns().victimName();
        try {
            // When: while the fault is in place, the victim stops answering altogether (an outage the fault left
            // behind: a table of the test's own drops what it receives)
            ProcessRunner.run("ip", "netns", "exec", victim, "nft", "add", "table", "inet", "it_outage").orThrow();
            ProcessRunner.run("ip", "netns", "exec", victim, "nft", "add", "chain", "inet", "it_outage", "input", "{",
                    "type", "filter", "hook", "input", "priority", "0", ";", "policy", "drop", ";", "}").orThrow();
            awaitStatus(runId, RunPhase.REVERTED);

            // Then: the fault is reverted, but the run fails: its steady state did not come back
            String failed = awaitRecorded(runId, "FAILED");
            assertThat(failed).contains("\"kind\":\"steady-state-not-restored\"", LossProbe.METRIC);
            SteadyStateVerdict after = loop.events().first(EventType.STEADY_STATE_VERDICT,
                    v -> v.runId().equals(runId) && v.afterRevert()).orElseThrow();
            assertThat(after.held()).isFalse();
            assertThat(after.observed()).isGreaterThan(0.1);
        } finally {
            ProcessRunner.run("ip", "netns", "exec", victim, "nft", "delete", "table", "inet", "it_outage");
        }
        awaitProbeSeesNoLoss();
        assertThat(ProcessRunner.run("ip", "netns", "exec", victim, "nft", "list", "tables").stdout())
                .as("nft tables left in the victim").isBlank();
    }

    /** Until the victim answers and the probe's last second of measurements shows no loss (as the guardian sees it). */
    private static void awaitProbeSeesNoLoss() {
        await().atMost(Duration.ofSeconds(15)).until(() -> loop.netns().lossPercent(10) == 0);
        Instant healthySince = Instant.now();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            var recent = loop.probe().history().stream().filter(o -> o.at().isAfter(Instant.now().minusSeconds(1)))
                    .map(LossProbe.Observation::lossRatio).toList();
            return Instant.now().isAfter(healthySince.plusSeconds(1)) && !recent.isEmpty()
                    && recent.stream().allMatch(r -> r == 0.0);
        });
    }

    private static void submitLossExperiment(String name, boolean withAutoAbort) throws Exception {
        String yaml = """
                apiVersion: tumult.io/v1
                kind: Experiment
                metadata: { name: %s }
                spec:
                  target: { kind: network-namespace, name: %s }
                  attack: { kind: network-loss, percent: 20 }
                  duration: 3s
                  blastRadius: { maxTargets: 1 }
                  steadyState:
                    - { metric: %s, op: "<", threshold: 0.1, window: 1s, aggregate: avg }
                %s
                """.formatted(name, loop.netns().victimName(), LossProbe.METRIC, withAutoAbort
                ? "  autoAbort:\n    - { metric: " + LossProbe.METRIC
                        + ", op: \">\", threshold: 0.5, window: 1s, aggregate: avg }"
                : "");
        var created = loop.submit(yaml);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static UUID runNow(String experiment) throws Exception {
        var accepted = loop.post("/experiments/" + experiment + "/runs");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        var matcher = java.util.regex.Pattern.compile("\"runId\":\"([0-9a-f-]{36})\"").matcher(accepted.body());
        assertThat(matcher.find()).as(accepted.body()).isTrue();
        return UUID.fromString(matcher.group(1));
    }

    /** The run as the scheduler's API shows it, once its status is {@code status}. */
    private static String awaitRecorded(UUID runId, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> loop.get("/runs/" + runId).body(),
                body -> body.contains("\"status\":\"" + status + "\""));
    }

    private static RunStatus awaitStatus(UUID runId, RunPhase phase) {
        return await().atMost(Duration.ofSeconds(15))
                .until(() -> loop.events().first(EventType.RUN_STATUS,
                        s -> s.runId().equals(runId) && s.phase() == phase), Optional::isPresent)
                .orElseThrow();
    }

    private static RunStatus awaitStatus(RunStarted started, RunPhase phase) {
        return awaitStatus(started.runId(), phase);
    }

    private static Instant receivedAt(RunStatus status) {
        return loop.events().seen().stream().filter(s -> s.event().equals(status)).findFirst().orElseThrow()
                .receivedAt();
    }
}
