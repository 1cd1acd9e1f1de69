package io.tumult.scheduler.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.Api;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * A relay's takeover of rows whose writer died, on the real broker and PostgreSQL: a row whose record reached the
 * broker before its writer died is marked sent, not published again; one whose record never left is published. And a
 * writer shutting down sends what waits for its fire time first.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class OutboxTakeoverTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    OutboxRelay relay;

    @Test
    void shouldNotPublishAgainARowWhoseRecordIsOnTheTopicAndPublishTheOneThatIsNot() throws Throwable {
        // Given: two run-starts left unsent by a writer that died; the first one's record reached the broker first
        byte[] landed = runStart();
        byte[] lost = runStart();
        String landedKey = TumultJson.decode(EventType.RUN_STARTED, landed).runId().toString();
        String lostKey = TumultJson.decode(EventType.RUN_STARTED, lost).runId().toString();
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUN_START, landedKey, landed)).get();
        }
        Instant written = Instant.now().minusSeconds(30); // older than the takeover delay (5 s)

        // When
        long landedRow = insertUnsent(landedKey, landed, written);
        long lostRow = insertUnsent(lostKey, lost, written);

        // Then: both rows end up sent, and each record is on the topic once
        await().atMost(WAIT).until(() -> sent(landedRow) && sent(lostRow));
        try (var kafka = new EventClient(bootstrapServers)) {
            var records = kafka.readAll(Topics.RUN_START);
            assertThat(records).extracting(ConsumerRecord::key).filteredOn(landedKey::equals).hasSize(1);
            assertThat(records).extracting(ConsumerRecord::key).filteredOn(lostKey::equals).hasSize(1);
        }
    }

    @Test
    void shouldSendARunStartWaitingForItsFireTimeBeforeItsReplicaShutsDownAndNotBeforeItsFireTime() throws Throwable {
        // Given a committed run-start whose publish waits for its fire time, 400 ms away
        byte[] start = runStart();
        String key = TumultJson.decode(EventType.RUN_STARTED, start).runId().toString();
        var row = new OutboxEntity();
        row.id = insertUnsent(key, start, Instant.now());
        row.eventType = EventType.RUN_STARTED.ceType();
        row.recordKey = key;
        row.payload = start;
        Instant at = Instant.now().plusMillis(400);
        VertxContextSupport.subscribeAndAwait(() -> relay.publishAt(List.of(row), at));
        assertThat(sent(row.id)).isFalse();

        // When its replica shuts down
        relay.drainWaiting(WAIT);

        // Then it was sent before the shut-down went on, at its fire time and not before
        assertThat(sent(row.id)).isTrue();
        try (var kafka = new EventClient(bootstrapServers)) {
            var records = kafka.readAll(Topics.RUN_START).stream().filter(r -> r.key().equals(key)).toList();
            assertThat(records).singleElement()
                    .satisfies(r -> assertThat(Instant.ofEpochMilli(r.timestamp()))
                            .isAfterOrEqualTo(at.truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    private static byte[] runStart() {
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("checkout-db"), new NetworkLoss(100),
                Duration.ofSeconds(60), null, null, null, null);
        return TumultJson.encode(new RunStarted(UUID.randomUUID(), "outbox-takeover", Trigger.MANUAL, Instant.now(),
                spec));
    }

    private static long insertUnsent(String key, byte[] payload, Instant createdAt) throws Throwable {
        Object id = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("insert into outbox (event_type, record_key, payload, created_at)"
                        + " values (:type, :key, :payload, :created) returning id")
                        .setParameter("type", EventType.RUN_STARTED.ceType())
                        .setParameter("key", key)
                        .setParameter("payload", payload)
                        .setParameter("created", createdAt)
                        .getSingleResult())));
        return ((Number) id).longValue();
    }

    private static boolean sent(long row) throws Exception {
        Object sentAt;
        try {
            sentAt = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                    .chain(s -> s.createNativeQuery("select sent_at from outbox where id = :id")
                            .setParameter("id", row).getSingleResultOrNull())));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return sentAt != null;
    }
}
