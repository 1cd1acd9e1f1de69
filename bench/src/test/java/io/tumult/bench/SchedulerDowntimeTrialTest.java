package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tumult.local.LocalFiles;
import io.tumult.local.LocalStack;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunStarted;

/**
 * A schedule's starting deadline after real downtime: the only scheduler replica (a packaged JVM on a real broker and
 * PostgreSQL) runs an experiment firing every second with a starting deadline of {@value #DEADLINE_SECONDS} s; it is
 * {@code kill -9}ed, stays down {@value #DEADLINE_SECONDS} s + {@value #BEYOND_SECONDS} s, and is started again (a new
 * Quartz cluster member). Every fire time from before the kill until after the restart must then have exactly one
 * outcome: a run-start on the topic, issued within the deadline of its fire time (caught up), or a skipped fire
 * {@code MISSED_DEADLINE} listed by the API, decided beyond it. The oldest missed times are skipped and the newest are
 * caught up; both happen.
 */
class SchedulerDowntimeTrialTest {

    private static final int DEADLINE_SECONDS = 30;
    private static final int BEYOND_SECONDS = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(DEADLINE_SECONDS);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String NAME = "downtime";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldCatchUpFiresMissedWithinTheStartingDeadlineAndRecordOlderOnesAsSkipped() throws Exception {
        Path work = Files.createTempDirectory("tumult-downtime-");
        try (var stack = LocalStack.start(true);
                var replicas = new SchedulerReplicas(stack.config(), work, 1);
                var topic = new RunStartRecorder(stack.kafka().bootstrapServers())) {
            replicas.startAll();
            topic.start();
            try {
                // Given an experiment firing every second, seen firing
                assertThat(replicas.send(0, "POST", "/experiments",
                        SchedulerReplicas.experiment(NAME, "* * * * * ?", DEADLINE))).isEqualTo(201);
                Instant created = Instant.now();
                awaitUntil(() -> !startsByFireTime(topic).isEmpty(), () -> "a first run-start");

                // When the replica is killed and stays down beyond the deadline, then comes back
                Instant killed = Instant.now();
                replicas.kill(0);
                sleepUntil(killed.plusSeconds(DEADLINE_SECONDS + BEYOND_SECONDS));
                Instant restarted = Instant.now();
                replicas.start(0);
                Instant serving = Instant.now();

                // Then every fire time until two seconds after it serves again is decided: started or skipped
                Instant firstFire = java.util.Collections.min(startsByFireTime(topic).keySet());
                Instant from = java.util.Collections
                        .max(List.of(firstFire, killed.truncatedTo(ChronoUnit.SECONDS).minusSeconds(2)));
                Instant until = serving.truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
                var skipped = new TreeMap<Instant, JsonNode>();
                var undecided = new ArrayList<Instant>();
                awaitUntil(() -> {
                    skipped.clear();
                    skipped.putAll(skippedFires(replicas));
                    var started = startsByFireTime(topic);
                    undecided.clear();
                    for (Instant t = from; t.isBefore(until); t = t.plusSeconds(1)) {
                        if (!started.containsKey(t) && !skipped.containsKey(t)) {
                            undecided.add(t);
                        }
                    }
                    return undecided.isEmpty();
                }, () -> "every fire time from " + from + " to " + until + " started or skipped; neither: " + undecided);
                Map<Instant, List<RunStarted>> started = startsByFireTime(topic);

                var caughtUp = new ArrayList<Instant>();
                for (Instant t = from; t.isBefore(until); t = t.plusSeconds(1)) {
                    boolean start = started.containsKey(t);
                    boolean skip = skipped.containsKey(t);
                    assertThat(start && skip).as("fire time %s both started and skipped", t).isFalse();
                    if (start) {
                        assertThat(started.get(t)).as("run-starts of the fire time %s", t).hasSize(1);
                        Duration late = Duration.between(t, started.get(t).get(0).issuedAt());
                        assertThat(late).as("start of %s issued within the deadline", t).isLessThanOrEqualTo(DEADLINE);
                        // a start decided before the kill and published on restart (the outbox's takeover) is no
                        // catch-up: only those decided after the restart are
                        if (t.isAfter(killed) && t.isBefore(restarted)
                                && started.get(t).get(0).issuedAt().isAfter(restarted)) {
                            caughtUp.add(t);
                        }
                    } else {
                        JsonNode fire = skipped.get(t);
                        assertThat(fire.get("reason").asText()).as("why %s was skipped", t).isEqualTo("MISSED_DEADLINE");
                        Duration late = Duration.between(t, Instant.parse(fire.get("recordedAt").asText()));
                        assertThat(late).as("%s skipped beyond the deadline", t).isGreaterThan(DEADLINE);
                        assertThat(fire.get("detail").asText()).contains("past its starting deadline of 30s");
                    }
                }
                assertThat(skipped.keySet()).as("fires missed beyond the deadline").isNotEmpty();
                assertThat(caughtUp).as("fires missed during the downtime, within the deadline, started on restart "
                        + "(down at %s, restarted at %s, serving at %s)", killed, restarted, serving).isNotEmpty();
                Instant newestSkipped = skipped.lastKey();
                assertThat(caughtUp).as("caught-up fire times are all newer than the skipped ones")
                        .allMatch(t -> t.isAfter(newestSkipped));
                assertThat(skipped.firstKey()).as("no fire time before the kill was skipped: created %s", created)
                        .isAfter(killed.minusSeconds(1));
                System.out.printf(java.util.Locale.ROOT, "scheduler downtime trial: down %.1f s (deadline %s s), %d fire"
                        + " times skipped (MISSED_DEADLINE), %d caught up on restart, restart to serving %d ms%n",
                        Duration.between(killed, restarted).toMillis() / 1000.0, DEADLINE_SECONDS, skipped.size(),
                        caughtUp.size(), Duration.between(restarted, serving).toMillis());
            } catch (AssertionError | RuntimeException e) {
                keepLogs(work);
                throw new AssertionError(e.getMessage() + "\n" + replicas.logTails(), e);
            }
        } finally {
            LocalFiles.deleteTree(work);
        }
    }

    /** Copies the replicas' logs to {@code target/scheduler-downtime-logs}, to read after a failure. */
    private static void keepLogs(Path work) throws java.io.IOException {
        Path kept = Files.createDirectories(Path.of("target", "scheduler-downtime-logs"));
        try (var logs = Files.list(work)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The experiment's run-starts on the topic, by fire time. */
    private static Map<Instant, List<RunStarted>> startsByFireTime(RunStartRecorder topic) {
        var byRunId = new HashMap<String, Instant>();
        var out = new HashMap<Instant, List<RunStarted>>();
        for (ConsumerRecord<String, byte[]> record : topic.records()) {
            RunStarted start = TumultJson.decode(EventType.RUN_STARTED, record.value());
            if (!start.experiment().equals(NAME)) {
                continue;
            }
            Instant fire = byRunId.computeIfAbsent(record.key(), k -> fireTimeOf(start));
            out.computeIfAbsent(fire, f -> new ArrayList<>()).add(start);
        }
        return out;
    }

    /** A cron run's id is derived from its fire time: the second, within a minute of its issue, that gives it. */
    private static Instant fireTimeOf(RunStarted start) {
        Instant issued = start.issuedAt().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        for (Instant t = issued; t.isAfter(issued.minus(DEADLINE).minusSeconds(5)); t = t.minusSeconds(1)) {
            if (SchedulerReplicas.cronRunId(NAME, t).equals(start.runId())) {
                return t;
            }
        }
        throw new AssertionError("run " + start.runId() + " issued at " + start.issuedAt()
                + " is no cron fire of " + NAME + " within its deadline");
    }

    private static Map<Instant, JsonNode> skippedFires(SchedulerReplicas replicas) {
        try {
            var out = new HashMap<Instant, JsonNode>();
            for (JsonNode fire : JSON.readTree(replicas.get(0, "/experiments/" + NAME + "/skipped-fires?limit=1000"))) {
                out.put(Instant.parse(fire.get("fireTime").asText()), fire);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("skipped fires are not JSON: " + e.getMessage(), e);
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier done, java.util.function.Supplier<String> what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what.get());
            }
            Thread.sleep(200); // polling the recorded topic and the API
        }
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis); // the downtime itself: the moment is the point
        }
    }
}
