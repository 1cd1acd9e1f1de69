package io.tumult.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.tumult.local.LocalFiles;
import io.tumult.local.LocalKafka;
import io.tumult.local.LocalStack;
import io.tumult.schemas.v1.Topics;

/**
 * Exactly once across replicas, and on time: three packaged scheduler JVMs on one real broker and PostgreSQL,
 * {@code -DfiringExperiments} experiments each firing every second (6-field cron), created on one replica; during
 * {@code -DfiringSeconds} a random replica is {@code kill -9}ed {@code -DfiringKills} times at random moments and
 * started again; then each experiment's schedule is changed, through another replica, to even seconds only. Every
 * run-start on {@code tumult.runs.start} is counted (the topic's timestamps set to the broker's append time):
 * <ul>
 * <li>missed: a whole second between an experiment's creation and the change with no run-start;</li>
 * <li>duplicate: a run id on the topic more than once although its outbox row was published once (a row taken over
 * from a killed relay is published again by design, harmless by run id, and counted apart);</li>
 * <li>after the change: a run-start for an odd second after the change was acknowledged, which would mean some
 * replica still fired the old schedule.</li>
 * </ul>
 * Fire lag is the run-start's append time minus its fire time; none may be appended before it. The replicas decide
 * each fire {@code -DfiringLead} ahead (default 0.5S, the scheduler's; 0S decides at the fire time). Writes
 * {@code bench/target/replica-firing.txt}.
 */
class ReplicaFiringTrialTest {

    private static final int EXPERIMENTS = Integer.getInteger("firingExperiments", 2);
    private static final Duration FIRING = Duration.ofSeconds(Long.getLong("firingSeconds", 20));
    private static final int KILLS = Integer.getInteger("firingKills", 2);
    /** The replicas' {@code tumult.scheduler.fire-lead}; {@code 0s} decides each fire at its fire time. */
    private static final Duration LEAD = Duration.parse("PT" + System.getProperty("firingLead", "0.5S"));
    private static final Duration DRAIN = Duration.ofSeconds(120);
    /** The scheduler's rule (ExperimentSchedules.FIRST_FIRE_AFTER): a schedule's first time is this long after it. */
    private static final Duration FIRST_FIRE_AFTER = Duration.ofSeconds(1);
    private static final String RUN_STARTED = "io.tumult.run.started.v1";

    @Test
    void shouldStartEveryFireTimeExactlyOnceWhileReplicasAreKilled() throws Exception {
        Path work = Files.createTempDirectory("tumult-firing-");
        var random = new Random();
        try (var stack = LocalStack.start(true);
                var replicas = new SchedulerReplicas(withLead(stack.config()), work, 3);
                var topic = new RunStartRecorder(stack.kafka().bootstrapServers())) {
            String bootstrap = stack.kafka().bootstrapServers();
            // each run-start stamped with when the broker appended it: the moment the publish is acknowledged
            LocalKafka.stampAppendTime(bootstrap, Topics.RUN_START);
            replicas.startAll();
            topic.start();
            try {
                // Given experiments created on replica 0
                var created = new HashMap<String, Instant>();
                var createSent = new HashMap<String, Instant>();
                for (int e = 0; e < EXPERIMENTS; e++) {
                    String name = "trial-" + e;
                    createSent.put(name, Instant.now());
                    assertThat(replicas.send(0, "POST", "/experiments", SchedulerReplicas.experiment(name, "* * * * * ?")))
                            .isEqualTo(201);
                    created.put(name, Instant.now());
                }

                // When replicas are killed at random moments and started again
                Instant began = Instant.now();
                var killedAt = new ArrayList<Instant>();
                var restarts = new ArrayList<CompletableFuture<Void>>();
                for (int i = 0; i < replicas.count(); i++) {
                    restarts.add(CompletableFuture.completedFuture(null));
                }
                for (int k = 0; k < KILLS; k++) {
                    long slot = FIRING.toMillis() / (KILLS + 1);
                    Instant at = began.plusMillis(slot * (k + 1) + random.nextLong(slot / 2) - slot / 4);
                    awaitInstant(at);
                    int victim = random.nextInt(replicas.count());
                    restarts.get(victim).join(); // a replica still starting is not killed again
                    killedAt.add(Instant.now());
                    replicas.kill(victim);
                    restarts.set(victim, CompletableFuture.runAsync(() -> replicas.start(victim)));
                }
                awaitInstant(began.plus(FIRING));

                // Then every fire time so far reaches the topic: fires a killed replica held are recovered by the
                // others, and outbox rows it left unsent are taken over
                Instant stopped = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                var expected = new HashMap<UUID, Instant>();
                var fireTimeOf = new HashMap<UUID, Instant>();
                var nameOf = new HashMap<UUID, String>();
                for (String name : created.keySet()) {
                    // a schedule first fires at its first time a second or more after it is stored, which is
                    // before the answer came: the times between a second after the request and a second after the
                    // answer may or may not fire
                    Instant first = ceilToSecond(created.get(name).plus(FIRST_FIRE_AFTER));
                    for (Instant t = createSent.get(name).truncatedTo(ChronoUnit.SECONDS).minusSeconds(1); t
                            .isBefore(stopped.plus(DRAIN).plus(DRAIN)); t = t
                                    .plusSeconds(1)) {
                        UUID runId = SchedulerReplicas.cronRunId(name, t);
                        fireTimeOf.put(runId, t);
                        nameOf.put(runId, name);
                        if (!t.isBefore(first) && t.isBefore(stopped)) {
                            expected.put(runId, t);
                        }
                    }
                }
                awaitOnTopic(topic, expected.keySet());

                // When every schedule is changed, through a replica other than the one that created it, to even
                // seconds only
                restarts.forEach(CompletableFuture::join);
                var changed = new HashMap<String, Instant>();
                for (int e = 0; e < EXPERIMENTS; e++) {
                    String name = "trial-" + e;
                    assertThat(replicas.send(1 + e % 2, "PUT", "/experiments/" + name,
                            SchedulerReplicas.experiment(name, "0/2 * * * * ?"))).isEqualTo(200);
                    changed.put(name, Instant.now());
                }

                // Then the new schedule fires (its even seconds), and the old one no more (no odd second more than
                // the fire lead after the change was acknowledged: a fire is decided that far ahead)
                var newSchedule = new HashSet<UUID>();
                for (var name : changed.keySet()) {
                    Instant t = ceilToSecond(changed.get(name).plus(FIRST_FIRE_AFTER));
                    for (int i = 0; i < 6; i++, t = t.plusSeconds(1)) {
                        if (t.getEpochSecond() % 2 == 0) {
                            newSchedule.add(SchedulerReplicas.cronRunId(name, t));
                        }
                    }
                }
                awaitOnTopic(topic, newSchedule);
                var allExpected = new HashSet<>(expected.keySet());
                allExpected.addAll(newSchedule);
                // a late fire of the old schedule would come within seconds of the change: watch that long
                awaitInstant(Collections.max(changed.values()).plusSeconds(7));

                List<ConsumerRecord<String, byte[]>> records = topic.records();
                var seen = new HashMap<String, Integer>();
                records.forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                Set<UUID> missed = new HashSet<>(allExpected);
                missed.removeIf(id -> seen.containsKey(id.toString()));
                var attempts = outboxAttempts(stack.config());
                int republished = 0;
                var duplicates = new ArrayList<String>();
                for (var entry : seen.entrySet()) {
                    if (entry.getValue() > 1) {
                        if (attempts.getOrDefault(entry.getKey(), 1) > 1) {
                            republished++;
                        } else {
                            duplicates.add(entry.getKey());
                        }
                    }
                }
                var afterChange = new ArrayList<String>();
                var early = new ArrayList<String>();
                var lagCsv = new StringBuilder("fire_time,experiment,lag_ms\n");
                var lag = new ArrayList<Double>();
                var steadyLag = new ArrayList<Double>();
                var warmLag = new ArrayList<Double>();
                for (var record : records) {
                    UUID runId = UUID.fromString(record.key());
                    Instant fire = fireTimeOf.get(runId);
                    if (fire == null) {
                        afterChange.add(record.key() + " (no fire time of the trial)");
                        continue;
                    }
                    if (fire.isAfter(changed.get(nameOf.get(runId)).plus(LEAD)) && fire.getEpochSecond() % 2 != 0) {
                        afterChange.add(nameOf.get(runId) + "@" + fire);
                    }
                    double ms = record.timestamp() - fire.toEpochMilli();
                    if (ms < 0) {
                        early.add(nameOf.get(runId) + "@" + fire + " (" + (long) ms + " ms)");
                    }
                    lag.add(ms);
                    lagCsv.append(fire).append(',').append(nameOf.get(runId)).append(',').append((long) ms).append('\n');
                    if (killedAt.stream().noneMatch(k -> !fire.isBefore(k.minusSeconds(1))
                            && fire.isBefore(k.plusSeconds(60)))) {
                        steadyLag.add(ms);
                        // warm: past the JVMs' first seconds of work, and before the schedules change
                        String name = nameOf.get(runId);
                        if (!fire.isBefore(created.get(name).plusSeconds(5)) && fire.isBefore(changed.get(name))) {
                            warmLag.add(ms);
                        }
                    }
                }
                String report = String.format(Locale.ROOT,
                        "replica firing trial: 3 replicas, %d experiments every second for %s, %d kill -9 (restarted),"
                                + " fire lead %s%n"
                                + "  fire times expected %d, run-starts on the topic %d (distinct run ids %d)%n"
                                + "  missed %d, duplicate runs %d, republished after a relay takeover %d,"
                                + " old schedule fired after the change %d, appended before the fire time %d%n"
                                + "%s%s",
                        EXPERIMENTS, FIRING, KILLS, LEAD, allExpected.size(), records.size(), seen.size(),
                        missed.size(), duplicates.size(), republished, afterChange.size(), early.size(),
                        line("fire -> run-start appended, all fires", lag),
                        line("fire -> run-start appended, no kill within 60 s before", steadyLag)
                                + line("  of those, 5 s after creation until the change", warmLag));
                System.out.print(report);
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "replica-firing.txt"), report);
                Files.writeString(Path.of("target", "replica-firing-lags.csv"), lagCsv); // each fire, to trace the tail

                assertThat(missed).as("fire times with no run-start").isEmpty();
                assertThat(duplicates).as("run ids published twice without a takeover").isEmpty();
                assertThat(afterChange).as("run-starts of a schedule changed on another replica").isEmpty();
                assertThat(early).as("run-starts on the topic before their fire time").isEmpty();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + replicas.logTails(), e);
            }
        } finally {
            LocalFiles.deleteTree(work);
        }
    }

    private static Map<String, String> withLead(Map<String, String> config) {
        var all = new HashMap<>(config);
        all.put("tumult.scheduler.fire-lead", LEAD.toMillis() + "ms");
        return all;
    }

    private static void awaitOnTopic(RunStartRecorder topic, Set<UUID> runIds) throws InterruptedException {
        Instant until = Instant.now().plus(DRAIN);
        while (!topic.keys().containsAll(keys(runIds)) && Instant.now().isBefore(until)) {
            Thread.sleep(200); // polling the recorded topic
        }
    }

    private static Set<String> keys(Set<UUID> ids) {
        var keys = new HashSet<String>();
        ids.forEach(id -> keys.add(id.toString()));
        return keys;
    }

    /** Publish attempts per run-start's run id, from the outbox. */
    private static Map<String, Integer> outboxAttempts(Map<String, String> config) throws Exception {
        var attempts = new HashMap<String, Integer>();
        try (var db = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
                var query = db.prepareStatement("select record_key, attempts from outbox where event_type = ?")) {
            query.setString(1, RUN_STARTED);
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    attempts.merge(rows.getString(1), rows.getInt(2), Math::max);
                }
            }
        }
        return attempts;
    }

    private static Instant ceilToSecond(Instant at) {
        Instant second = at.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(at) ? at : second.plusSeconds(1);
    }

    private static void awaitInstant(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis); // the trial's own timeline: the moments are the point
        }
    }

    private static String line(String what, List<Double> millis) {
        if (millis.isEmpty()) {
            return String.format(Locale.ROOT, "  %-55s (no samples)%n", what);
        }
        var sorted = new ArrayList<>(millis);
        sorted.sort(Comparator.naturalOrder());
        return String.format(Locale.ROOT, "  %-55s n %5d  median %7.1f  p99 %7.1f  max %8.1f ms%n", what,
                sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
