package io.tumult.scheduler.cron;

import static io.tumult.scheduler.Api.asOperator;
import static io.tumult.scheduler.Api.asViewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.Api;
import io.tumult.scheduler.outbox.OutboxEntity;
import io.tumult.scheduler.run.FireResult;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.scheduler.run.SkipReason;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Topics;

/** The firing path on the real broker and PostgreSQL: the shared Quartz store, the outbox, and the cron semantics. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class FiringTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String YEARLY = "0 0 1 1 *";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "tumult.scheduler.fire-lead")
    Duration fireLead;

    @Inject
    RunLauncher launcher;

    @Inject
    ExperimentSchedules schedules;

    @Inject
    Scheduler quartz;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldReplaceTheSharedTriggerWhenTheScheduleChangesAndFireOnlyTheNewCron() throws Exception {
        // Given an experiment firing every second
        create("change-me", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        kafka.read(Topics.RUN_START, rs -> !startsOf(rs, "change-me").isEmpty(), WAIT);

        // When it changes to even seconds only
        put("change-me", "{ cron: \"0/2 * * * * ?\", concurrency: Allow }");
        Instant changed = Instant.now();

        // Then the stored trigger is the new one, and no odd second fires after the change (a fire is decided its
        // fire lead ahead: one decided before the change is still published)
        assertThat(schedules.fireTriggers("change-me")).singleElement()
                .extracting(t -> ((CronTrigger) t).getCronExpression()).isEqualTo("0/2 * * * * ?");
        var records = kafka.read(Topics.RUN_START, rs -> false, Duration.ofSeconds(5)); // a time window is the point
        List<Instant> odd = records.stream()
                .filter(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()).experiment().equals("change-me"))
                .map(r -> fireTimeOf("change-me", UUID.fromString(r.key()), changed))
                .filter(t -> t != null && t.isAfter(changed.plus(fireLead)) && t.getEpochSecond() % 2 != 0)
                .toList();
        assertThat(odd).isEmpty();
        assertThat(asOperator().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("tumult_scheduler_fire_lag_seconds_count");
        asOperator().delete("/experiments/change-me").then().statusCode(204);
    }

    @Test
    void shouldRemoveATriggerLeftBehindByAScheduleChangeInsteadOfFiringTheOldSchedule() throws Exception {
        // Given an experiment firing on even seconds, and beside its trigger one of an older schedule (odd seconds), as
        // a replica that died between storing a change and replacing the trigger, or two changes at once, leave it
        create("left-behind", "{ cron: \"0/2 * * * * ?\", concurrency: Allow }");
        Instant created = Instant.now();
        quartz.scheduleJob(TriggerBuilder.newTrigger()
                .withIdentity(ExperimentSchedules.FIRE + "left-behind/" + UUID.randomUUID(), ExperimentSchedules.GROUP)
                .forJob(ExperimentSchedules.fireJob("left-behind"))
                .usingJobData(ExperimentSchedules.FINGERPRINT, "an older schedule's")
                .withSchedule(ExperimentSchedules.fireSchedule("1/2 * * * * ?", "UTC", fireLead)).build());
        assertThat(schedules.fireTriggers("left-behind")).hasSize(2);

        // When its first fire comes, then two more of the stored schedule
        await().atMost(WAIT).until(() -> schedules.fireTriggers("left-behind").size() == 1);
        Instant removed = Instant.now();
        var records = kafka.read(Topics.RUN_START, rs -> startsOf(rs, "left-behind").stream()
                .map(r -> fireTimeOf("left-behind", UUID.fromString(r.key()), Instant.now()))
                .filter(t -> t != null && t.isAfter(removed)).count() >= 2, WAIT);
        asOperator().delete("/experiments/left-behind").then().statusCode(204);

        // Then the trigger left is the stored one, and no fire of the old schedule started a run
        List<Instant> fired = startsOf(records, "left-behind").stream()
                .map(r -> fireTimeOf("left-behind", UUID.fromString(r.key()), created)).toList();
        assertThat(fired).doesNotContainNull().allSatisfy(t -> assertThat(t.getEpochSecond() % 2).isZero());
    }

    @Test
    void shouldScheduleAStoredScheduleWhoseTriggerWasNeverWritten() throws Throwable {
        // Given an experiment stored with a schedule but without its trigger, as a replica that died between storing
        // it and writing the trigger leaves it
        create("never-triggered", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        quartz.deleteJob(ExperimentSchedules.fireJob("never-triggered"));
        assertThat(schedules.fireTriggers("never-triggered")).isEmpty();

        // When a replica looks for such schedules (every tumult.scheduler.repair-interval)
        int repaired = schedules.scheduleWhatHasNoTrigger();
        Instant repairedAt = Instant.now();

        // Then it has its trigger again, and its fires start runs; nothing else was touched
        assertThat(repaired).isEqualTo(1);
        assertThat(schedules.fireTriggers("never-triggered")).singleElement()
                .extracting(t -> ((CronTrigger) t).getCronExpression()).isEqualTo("* * * * * ?");
        kafka.read(Topics.RUN_START, rs -> startsOf(rs, "never-triggered").stream()
                .map(r -> fireTimeOf("never-triggered", UUID.fromString(r.key()), Instant.now()))
                .anyMatch(t -> t != null && t.isAfter(repairedAt)), WAIT);
        assertThat(schedules.scheduleWhatHasNoTrigger()).isZero();
        asOperator().delete("/experiments/never-triggered").then().statusCode(204);
    }

    @Test
    void shouldCommitACronFireAheadOfItsFireTimeAndPublishItsRunStartAtItNotBefore() throws Throwable {
        // Given an experiment firing every second
        Instant requested = Instant.now();
        create("ahead", "{ cron: \"* * * * * ?\", concurrency: Allow }");

        // When a fire decided ahead of its time (issued at its fire time exactly) is on the topic
        var records = kafka.read(Topics.RUN_START, rs -> startsOf(rs, "ahead").stream()
                .map(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()))
                .anyMatch(start -> start.issuedAt().equals(fireTimeOf("ahead", start.runId(), start.issuedAt()))), WAIT);
        asOperator().delete("/experiments/ahead").then().statusCode(204);

        // Then no run-start reached the broker before its fire time; the one decided ahead was committed before it
        int ahead = 0;
        for (ConsumerRecord<String, byte[]> r : startsOf(records, "ahead")) {
            RunStarted start = TumultJson.decode(EventType.RUN_STARTED, r.value());
            Instant fire = fireTimeOf("ahead", start.runId(), start.issuedAt());
            assertThat(fire).as("the fire time of run %s", start.runId()).isNotNull();
            // a new schedule's first time is a second or more after it is stored: its first fire is decided ahead too
            assertThat(fire).isAfterOrEqualTo(requested.plus(ExperimentSchedules.FIRST_FIRE_AFTER));
            assertThat(Instant.ofEpochMilli(r.timestamp())).as("sent at").isAfterOrEqualTo(fire);
            assertThat(start.issuedAt()).isAfterOrEqualTo(fire);
            if (start.issuedAt().equals(fire)) {
                OutboxEntity row = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                        () -> OutboxEntity.<OutboxEntity> find("recordKey = ?1 and eventType = ?2", r.key(),
                                EventType.RUN_STARTED.ceType()).firstResult()));
                assertThat(row.createdAt).as("committed").isBefore(fire);
                ahead++;
            }
        }
        assertThat(ahead).isPositive();
    }

    @Test
    void shouldRecordAFireMissedBeyondItsStartingDeadlineAsSkippedAndStartOneWithinIt() throws Throwable {
        // Given
        create("late", "{ cron: \"" + YEARLY + "\", concurrency: Allow, startingDeadline: 10s }");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // When
        FireResult tooLate = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("late", now.minusSeconds(60)));
        FireResult inTime = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("late", now.minusSeconds(5)));

        // Then
        assertThat(tooLate.runId()).isNull();
        assertThat(tooLate.skipped()).startsWith("MISSED_DEADLINE");
        List<Map<String, Object>> skipped = skippedFires("late");
        assertThat(skipped).singleElement().satisfies(fire -> {
            assertThat(fire).containsEntry("fireTime", now.minusSeconds(60).toString())
                    .containsEntry("reason", "MISSED_DEADLINE");
            assertThat((String) fire.get("detail")).contains("10s");
        });
        assertThat(inTime.runId()).isEqualTo(RunLauncher.cronRunId("late", now.minusSeconds(5)));
        kafka.read(Topics.RUN_START, rs -> rs.stream().anyMatch(r -> r.key().equals(inTime.runId().toString())), WAIT);
    }

    @Test
    void shouldAbortTheRunItReplacesThroughTheAbortTopic() throws Throwable {
        // Given a run of an experiment whose concurrency is Replace
        create("replaced", "{ cron: \"" + YEARLY + "\", concurrency: Replace }");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        FireResult first = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("replaced", now.minusSeconds(2)));

        // When the next fire comes while it is active
        FireResult second = VertxContextSupport
                .subscribeAndAwait(() -> launcher.fireScheduled("replaced", now.minusSeconds(1)));

        // Then both started, and the first is aborted on the abort topic
        assertThat(second.runId()).isNotNull().isNotEqualTo(first.runId());
        var aborts = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().anyMatch(r -> first.runId().toString().equals(r.key())),
                WAIT);
        RunAborted abort = aborts.stream().filter(r -> first.runId().toString().equals(r.key()))
                .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).findFirst().orElseThrow();
        assertThat(abort.reason().message()).contains("replaced by run " + second.runId());
        asOperator().get("/runs/" + first.runId()).then().statusCode(200)
                .body("abortedBy", equalTo("scheduler (replaced by run " + second.runId() + ")"));
    }

    @Test
    void shouldAbortRunsInProgressWhenABlackoutOpensAndRefuseStartsWhileItIsOpen() {
        // Given a run in progress
        create("blacked-out", "{ cron: \"" + YEARLY + "\", concurrency: Allow }");
        String runId = asOperator().post("/experiments/blacked-out/runs").then().statusCode(202).extract().path("runId");

        // When a blackout window that opens every second (and stays open an hour) is added
        put("blacked-out", "{ cron: \"" + YEARLY + "\", concurrency: Allow, blackouts: [ { cron: \"* * * * * ?\","
                + " duration: 1h } ] }");

        // Then the run is aborted with reason blackout, and a new start is refused
        var aborts = kafka.read(Topics.RUN_ABORT, rs -> rs.stream().anyMatch(r -> runId.equals(r.key())), WAIT);
        RunAborted abort = aborts.stream().filter(r -> runId.equals(r.key()))
                .map(r -> TumultJson.decode(EventType.RUN_ABORTED, r.value())).findFirst().orElseThrow();
        assertThat(abort.reason().kind()).isEqualTo(AbortKind.BLACKOUT);
        asOperator().get("/runs/" + runId).then().statusCode(200)
                .body("abortedBy", equalTo("scheduler (blackout window)"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(asOperator().post("/experiments/blacked-out/runs").then()
                .statusCode(409).extract().asString()).contains("blackout"));
        asOperator().delete("/experiments/blacked-out").then().statusCode(204);
    }

    @Test
    void shouldStartAgainOnceAnExperimentsBlackoutWindowHasClosed() {
        // Given an experiment whose blackout window opens every 10 s for 4 s, refusing a start while it is open
        create("window-closes", "{ cron: \"" + YEARLY + "\", concurrency: Allow, blackouts: [ { cron: \"0/10 * * * * ?\","
                + " duration: 4s } ] }");
        String refused = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> asOperator().post("/experiments/window-closes/runs").then().extract(),
                        r -> r.statusCode() == 409)
                .asString();
        assertThat(refused).contains("the blackout window 0/10 * * * * ? of window-closes opened at ");
        Instant opened = openedAt(refused);

        // When a start is asked for until one is accepted
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> asOperator()
                .post("/experiments/window-closes/runs").then().statusCode(202));

        // Then it was accepted once the window had closed: at its fourth second after it opened, not later than the
        // next opening
        Instant accepted = Instant.now();
        assertThat(accepted).isAfterOrEqualTo(opened.plusSeconds(4)).isBefore(opened.plusSeconds(10));
        asOperator().delete("/experiments/window-closes").then().statusCode(204);
    }

    @Test
    void shouldRecordACronFireInsideABlackoutWindowAsSkippedAndPublishNoRunStartForIt() {
        // Given an experiment firing every second, inside a window that opens every second and stays open an hour
        create("fires-blacked-out", "{ cron: \"* * * * * ?\", concurrency: Allow, blackouts: [ { cron: \"* * * * * ?\","
                + " duration: 1h } ] }");

        // When two of its fire times have passed
        List<Map<String, Object>> skipped = await().atMost(WAIT).until(() -> skippedFires("fires-blacked-out"),
                rows -> rows.size() >= 2);
        asOperator().delete("/experiments/fires-blacked-out").then().statusCode(204);

        // Then each is listed as skipped for the blackout, newest first, and no run-start of it is in the outbox or on
        // the topic
        assertThat(skipped).extracting(row -> Instant.parse((String) row.get("fireTime")))
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        for (Map<String, Object> row : skipped) {
            Instant fire = Instant.parse((String) row.get("fireTime"));
            assertThat(row.get("reason")).as("reason of the fire at %s", fire).isEqualTo(SkipReason.BLACKOUT.name());
            assertThat((String) row.get("detail")).contains("the blackout window * * * * * ? of fires-blacked-out");
            String runId = RunLauncher.cronRunId("fires-blacked-out", fire).toString();
            assertThat(outboxRows(runId)).as("outbox rows of run %s", runId).isZero();
        }
        assertThat(startsOf(kafka.readAll(Topics.RUN_START), "fires-blacked-out")).isEmpty();
    }

    @Test
    void shouldFireNothingWhileSuspendedAndFireAgainOnceResumed() throws Throwable {
        // Given an experiment firing every second
        create("held", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        kafka.read(Topics.RUN_START, rs -> !startsOf(rs, "held").isEmpty(), WAIT);

        // When it is suspended
        put("held", "{ cron: \"* * * * * ?\", concurrency: Allow, suspend: true }");

        // Then its trigger is gone, and a fire of a time it has not run (one already under way) starts nothing: the
        // first time past the fire lead, which no fire decided before the suspension can have taken
        assertThat(schedules.fireTriggers("held")).isEmpty();
        Instant next = Instant.now().plus(fireLead).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        FireResult held = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("held", next));
        assertThat(held.runId()).isNull();
        assertThat(held.skipped()).startsWith("SUSPENDED");

        // When it is resumed, it fires again: a run-start for a fire time after the resume
        put("held", "{ cron: \"* * * * * ?\", concurrency: Allow }");
        Instant resumed = Instant.now();
        kafka.read(Topics.RUN_START, rs -> startsOf(rs, "held").stream()
                .map(r -> fireTimeOf("held", UUID.fromString(r.key()), Instant.now()))
                .anyMatch(t -> t != null && t.isAfter(resumed)), WAIT);
        asOperator().delete("/experiments/held").then().statusCode(204);
    }

    @Test
    void shouldStartAJitteredFireOnceAtItsDrawnMomentWithinTheJitter() {
        // Given an experiment whose fires every 5 s start within 3 s after the fire time
        Duration jitter = Duration.ofSeconds(3);
        create("jittered", "{ cron: \"0/5 * * * * ?\", concurrency: Allow, jitter: 3s }");

        // When two fires have started their runs
        var records = kafka.read(Topics.RUN_START, rs -> startsOf(rs, "jittered").size() >= 2, WAIT);

        // Then each run-start is the one of a cron fire time, at the moment drawn for it, not before it
        asOperator().delete("/experiments/jittered").then().statusCode(204);
        var fireTimes = new ArrayList<Instant>();
        for (ConsumerRecord<String, byte[]> r : startsOf(records, "jittered")) {
            RunStarted start = TumultJson.decode(EventType.RUN_STARTED, r.value());
            Instant fire = null;
            Instant drawn = null;
            for (long s = -60; s <= 5; s += 1) {
                Instant t = start.issuedAt().truncatedTo(ChronoUnit.SECONDS).plusSeconds(s);
                if (t.getEpochSecond() % 5 == 0 && RunLauncher.cronRunId("jittered", CronExpressions.jittered(
                        "jittered", t, jitter)).equals(start.runId())) {
                    fire = t;
                    drawn = CronExpressions.jittered("jittered", t, jitter);
                }
            }
            assertThat(fire).as("the cron fire time of run %s", start.runId()).isNotNull();
            assertThat(drawn).isBetween(fire, fire.plus(jitter));
            assertThat(start.issuedAt()).isAfterOrEqualTo(drawn);
            fireTimes.add(fire);
        }
        assertThat(fireTimes).as("one run per fire time").doesNotHaveDuplicates();
    }

    @Test
    void shouldKeepOnlyTheHistoryLimitsNewestFinishedRuns() throws Throwable {
        // Given three finished runs of an experiment that keeps two
        create("kept", "{ cron: \"" + YEARLY + "\", concurrency: Allow, historyLimit: 2 }");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        var finished = new ArrayList<UUID>();
        for (int i = 4; i >= 2; i--) {
            Instant fire = now.minusSeconds(i);
            UUID run = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("kept", fire)).runId();
            kafka.publish(EventType.RUN_STATUS, run.toString(), new RunStatus(run, "kept", RunPhase.REVERTED,
                    Instant.now(), "executor-test", "reverted", List.of("network-namespace/checkout-db"), null),
                    "/test");
            finished.add(run);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(asOperator().get("/runs?experiment=kept&status=PASSED")
                .then().statusCode(200).extract().<Integer> path("total")).isEqualTo(3));

        // When the next run starts
        UUID next = VertxContextSupport.subscribeAndAwait(() -> launcher.fireScheduled("kept", now.minusSeconds(1)))
                .runId();

        // Then the oldest finished run is gone; the two newest and the new one remain
        List<String> kept = asOperator().get("/runs?experiment=kept").then().statusCode(200).extract()
                .jsonPath().getList("items.runId");
        assertThat(kept).containsExactlyInAnyOrder(finished.get(1).toString(), finished.get(2).toString(),
                next.toString());
    }

    @Test
    void shouldAnswer400ForAScheduleThatNeverFiresAndStoreNothing() {
        // When
        String body = asOperator().contentType("application/yaml")
                .body(bytes(yaml("never", "{ cron: \"0 0 30 2 *\" }"))).post("/experiments")
                .then().statusCode(400).extract().asString();

        // Then
        assertThat(body).contains("$.spec.schedule.cron");
        asOperator().get("/experiments/never").then().statusCode(404);
    }

    @Test
    void shouldStartOneRunWhenACronFireAndARunNowRaceUnderForbid() throws Exception {
        var racers = Executors.newFixedThreadPool(2);
        int cronWon = 0;
        try {
            for (int race = 0; race < 8; race++) {
                // Given a fresh experiment whose concurrency is Forbid, with no run yet
                String name = "forbid-race-" + race;
                create(name, "{ cron: \"" + YEARLY + "\", concurrency: Forbid }");
                Instant fireTime = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);

                // When its cron fire and a person's run-now arrive together, the fire held back a little longer in
                // each race (0 to 21 ms: a request over HTTP takes about that), so that either may come first
                var together = new CyclicBarrier(2);
                long holdBack = TimeUnit.MILLISECONDS.toNanos(3L * race);
                var cron = racers.submit(() -> {
                    together.await();
                    LockSupport.parkNanos(holdBack);
                    return query(() -> launcher.fireScheduled(name, fireTime));
                });
                var runNow = racers.submit(() -> {
                    together.await();
                    return asOperator().post("/experiments/" + name + "/runs").then().extract();
                });
                FireResult fired = cron.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                var asked = runNow.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                // Then exactly one of them started a run, and the other was told why not
                if (fired.runId() != null) {
                    cronWon++;
                    assertThat(asked.statusCode()).as("run-now after the cron fire of %s", name).isEqualTo(409);
                    assertThat(asked.asString()).contains("Forbid");
                } else {
                    assertThat(asked.statusCode()).as("run-now before the cron fire of %s", name).isEqualTo(202);
                    assertThat(fired.skipped()).startsWith("FORBID");
                    assertThat(skippedFires(name)).singleElement()
                            .satisfies(fire -> assertThat(fire).containsEntry("fireTime", fireTime.toString())
                                    .containsEntry("reason", "FORBID"));
                }
                List<Map<String, Object>> runs = asViewer().get("/runs?experiment=" + name).then().statusCode(200)
                        .extract().jsonPath().getList("items");
                assertThat(runs).as("runs of %s", name).hasSize(1);
                String runId = (String) runs.get(0).get("runId");
                assertThat(outboxRows(runId)).as("run-starts of %s in the outbox", name).isEqualTo(1);
            }
        } finally {
            racers.shutdownNow();
        }
        System.out.printf("Forbid races: the cron fire won %d of 8%n", cronWon); // which one wins is the race's
    }

    @Test
    void shouldLeaveTheDocumentItsVersionsAndItsTriggerAsTheyWereWhenAReplacementIsRefused() throws Exception {
        // Given a scheduled experiment
        create("kept-as-it-was", "{ cron: \"0 10 * * 1-5\", concurrency: Forbid }");
        String document = asViewer().get("/experiments/kept-as-it-was").then().statusCode(200).extract().asString();
        String versions = asViewer().get("/experiments/kept-as-it-was/versions").then().statusCode(200).extract()
                .asString();
        List<String> triggers = cronTriggers("kept-as-it-was");
        assertThat(triggers).hasSize(1);

        // When replacements that fail are refused: a schedule that never fires, a field out of range, bad YAML
        String never = yaml("kept-as-it-was", "{ cron: \"0 0 30 2 *\", concurrency: Forbid }");
        String outOfRange = yaml("kept-as-it-was", "{ cron: \"* * * * * ?\", concurrency: Allow }")
                .replace("percent: 100", "percent: 200");
        assertThat(refusedPut("kept-as-it-was", never)).contains("$.spec.schedule.cron");
        assertThat(refusedPut("kept-as-it-was", outOfRange)).contains("$.spec.attack.percent");
        assertThat(refusedPut("kept-as-it-was", "spec: [unclosed")).isNotBlank();

        // Then the document, its versions and its trigger are as they were
        asViewer().get("/experiments/kept-as-it-was").then().statusCode(200).body(equalTo(document));
        asViewer().get("/experiments/kept-as-it-was/versions").then().statusCode(200).body(equalTo(versions));
        assertThat(cronTriggers("kept-as-it-was")).isEqualTo(triggers);
    }

    /** A PUT answered 400; its body. */
    private static String refusedPut(String name, String yaml) {
        return asOperator().contentType("application/yaml").body(bytes(yaml)).put("/experiments/" + name).then()
                .statusCode(400).extract().asString();
    }

    /** The experiment's cron triggers: key, cron expression, time zone and next fire time. */
    private List<String> cronTriggers(String name) throws Exception {
        return schedules.fireTriggers(name).stream().map(t -> t.getKey() + " " + ((CronTrigger) t).getCronExpression()
                + " " + ((CronTrigger) t).getTimeZone().getID() + " " + t.getNextFireTime().toInstant()).toList();
    }

    /** When the window a 409's message names opened. */
    static Instant openedAt(String refusal) {
        Matcher m = Pattern.compile("opened at (\\S+) for").matcher(refusal);
        assertThat(m.find()).as("a window's opening in %s", refusal).isTrue();
        return Instant.parse(m.group(1));
    }

    /** The experiment's skipped fires as a viewer reads them. */
    private static List<Map<String, Object>> skippedFires(String experiment) {
        return asViewer().get("/experiments/" + experiment + "/skipped-fires").then().statusCode(200).extract()
                .jsonPath().getList("");
    }

    private static long outboxRows(String runId) {
        return query(() -> Panache.withSession(
                () -> OutboxEntity.count("recordKey = ?1 and eventType = ?2", runId, EventType.RUN_STARTED.ceType())));
    }

    private static <T> T query(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> uni) {
        try {
            return VertxContextSupport.subscribeAndAwait(uni);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant fireTimeOf(String name, UUID runId, Instant around) {
        for (long s = -30; s <= 30; s++) {
            Instant t = around.truncatedTo(ChronoUnit.SECONDS).plusSeconds(s);
            if (RunLauncher.cronRunId(name, t).equals(runId)) {
                return t;
            }
        }
        return null;
    }

    static void create(String name, String schedule) {
        asOperator().contentType("application/yaml").body(bytes(yaml(name, schedule))).post("/experiments").then()
                .statusCode(201);
    }

    static void put(String name, String schedule) {
        asOperator().contentType("application/yaml").body(bytes(yaml(name, schedule))).put("/experiments/" + name).then()
                .statusCode(200);
    }

    private static List<ConsumerRecord<String, byte[]>> startsOf(List<ConsumerRecord<String, byte[]>> records,
            String experiment) {
        return records.stream()
                .filter(r -> TumultJson.decode(EventType.RUN_STARTED, r.value()).experiment().equals(experiment))
                .toList();
    }

    private static String yaml(String name, String schedule) {
        return """
                apiVersion: tumult.io/v1
                kind: Experiment
                metadata: { name: %s }
                spec:
                  target: { kind: network-namespace, name: checkout-db }
                  attack: { kind: network-loss, percent: 100 }
                  duration: 60s
                  schedule: %s
                """.formatted(name, schedule);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
