package io.tumult.guardian.bridges;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * An alert for an experiment aborts every run of it, also the runs another replica evaluates: a second member joins
 * the guardians' consumer group and takes part of the partitions, so this guardian's rule book holds only some of the
 * experiment's runs, and the alert (posted to this guardian) must still abort them all.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@WithTestResource(ObservabilityResource.class)
class AlertsAcrossReplicasTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "tumult.guardian.group", defaultValue = "tumult-guardian")
    String group;

    private EventClient kafka;
    private final AtomicBoolean otherReplicaRunning = new AtomicBoolean(true);
    private final Set<TopicPartition> otherReplicaOwns = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Thread otherReplica;

    @BeforeEach
    void joinAnotherReplica() {
        kafka = new EventClient(bootstrapServers);
        otherReplica = new Thread(this::otherReplica, "other-replica");
        otherReplica.start();
        await().atMost(WAIT).until(() -> !otherReplicaOwns.isEmpty());
    }

    @AfterEach
    void leave() throws InterruptedException {
        otherReplicaRunning.set(false);
        otherReplica.join(30_000);
        kafka.close();
    }

    @Test
    void shouldAbortEveryRunOfTheExperimentAlsoThoseAnotherReplicaEvaluates() {
        // Given: runs of one experiment, at least one on a partition of each replica
        String experiment = "replicas-" + UUID.randomUUID().toString().substring(0, 8);
        Set<UUID> mine = new HashSet<>();
        Set<UUID> theirs = new HashSet<>();
        while (mine.isEmpty() || theirs.isEmpty()) {
            UUID run = UUID.randomUUID();
            RecordMetadata at = startRun(run, experiment);
            (otherReplicaOwns.contains(new TopicPartition(Topics.RUN_START, at.partition())) ? theirs : mine).add(run);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(watchedHere()).containsAll(ids(mine)));
        assertThat(watchedHere()).as("this guardian does not evaluate the other replica's runs")
                .doesNotContainAnyElementsOf(ids(theirs));
        Set<UUID> all = new HashSet<>(mine);
        all.addAll(theirs);
        await().atMost(WAIT).untilAsserted(() -> assertThat(given().get("/alerts/live-runs").then().statusCode(200)
                .extract().jsonPath().getList("runId", String.class)).containsAll(ids(all)));

        // When
        given().contentType("application/json")
                .header("Authorization", "Bearer " + ObservabilityResource.ALERTMANAGER_TOKEN)
                .body(alert(experiment)).post("/alerts/alertmanager").then().statusCode(200);

        // Then: every run of the experiment is aborted, whichever replica evaluates it
        await().atMost(WAIT).untilAsserted(() -> assertThat(kafka.readAll(Topics.RUN_ABORT).stream()
                .map(r -> r.key()).toList()).containsAll(ids(all)));
    }

    private RecordMetadata startRun(UUID run, String experiment) {
        // a condition whose silence is ignored: the run stays watched (and live) for the whole test
        var watched = new Condition("replicas_test_metric", Comparison.GT, 1, Duration.ofSeconds(1), null, null,
                null, NoData.IGNORE, null);
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                Duration.ofMinutes(5), null, null, List.of(watched), null);
        return kafka.publish(EventType.RUN_STARTED, run.toString(),
                new RunStarted(run, experiment, Trigger.MANUAL, Instant.now(), spec), "/test");
    }

    private List<String> watchedHere() {
        return given().get("/runs").then().statusCode(200).extract().jsonPath().getList("runId", String.class);
    }

    private static List<String> ids(Set<UUID> runs) {
        return runs.stream().map(UUID::toString).toList();
    }

    private static String alert(String experiment) {
        return """
                {"receiver":"tumult","status":"firing","alerts":[{"status":"firing",
                 "labels":{"alertname":"ExperimentHurts","tumult_experiment":"%s"},"annotations":{},
                 "startsAt":"%s","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph",
                 "fingerprint":"%s"}],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},
                 "externalURL":"http://alertmanager","version":"4","groupKey":"{}:{}","truncatedAlerts":0}"""
                .formatted(experiment, Instant.now(), UUID.randomUUID().toString().substring(0, 16));
    }

    /** A second member of the guardians' group: takes its share of the partitions, judges nothing. */
    private void otherReplica() {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.RUN_START, Topics.RUN_STATUS, Topics.METRICS));
            while (otherReplicaRunning.get()) {
                consumer.poll(Duration.ofMillis(100));
                Set<TopicPartition> owned = consumer.assignment();
                otherReplicaOwns.retainAll(owned);
                otherReplicaOwns.addAll(owned);
            }
        }
    }
}
