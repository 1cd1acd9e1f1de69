package io.tumult.scheduler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.Api;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.SchedulerStarted;
import io.tumult.schemas.v1.Topics;

/** The replica's start announcement, on the real broker: on its own topic, typed as itself, never a run-start. */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class StartAnnouncerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Scheduler quartz;

    @Test
    void shouldAnnounceTheReplicasStartOnItsOwnTopicAndNotAsARunStart() throws SchedulerException {
        // Given
        String replica = quartz.getSchedulerInstanceId();

        // When: the replica has started
        List<ConsumerRecord<String, byte[]>> announced;
        List<ConsumerRecord<String, byte[]>> runStarts;
        try (var kafka = new EventClient(bootstrapServers)) {
            announced = kafka.read(Topics.SCHEDULER_STARTS,
                    records -> records.stream().anyMatch(r -> replica.equals(r.key())), WAIT);
            runStarts = kafka.readAll(Topics.RUN_START);
        }

        // Then: one record keyed by the replica, a SchedulerStarted by its type and its body
        List<ConsumerRecord<String, byte[]>> ours = announced.stream().filter(r -> replica.equals(r.key())).toList();
        assertThat(ours).hasSize(1);
        ConsumerRecord<String, byte[]> record = ours.get(0);
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(EventType.SCHEDULER_STARTED.ceType());
        assertThat(EventClient.header(record, "ce_source")).isEqualTo("/tumult/scheduler");
        SchedulerStarted started = TumultJson.decode(EventType.SCHEDULER_STARTED, record.value());
        assertThat(started.replica()).isEqualTo(replica);
        assertThat(started.at()).isBefore(Instant.now());
        assertThat(runStarts).noneMatch(r -> replica.equals(r.key()))
                .noneMatch(r -> EventType.SCHEDULER_STARTED.ceType().equals(EventClient.header(r, "ce_type")));
    }

    @Test
    void shouldTellAnExistingTopicFromAMissingOne() {
        // When
        boolean existing = StartAnnouncer.topicExists(bootstrapServers, Topics.SCHEDULER_STARTS).await().atMost(WAIT);
        boolean missing = StartAnnouncer.topicExists(bootstrapServers, "tumult.no-such-topic").await().atMost(WAIT);

        // Then
        assertThat(existing).isTrue();
        assertThat(missing).isFalse();
    }
}
