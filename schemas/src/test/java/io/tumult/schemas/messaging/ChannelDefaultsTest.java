package io.tumult.schemas.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Topics;

class ChannelDefaultsTest {

    @Test
    void shouldDeriveTopicSerializersAndFailureStrategyOfEveryDeclaredChannel() {
        // Given: a service declaring two inputs, an output, and a channel of its own
        var declared = List.of("mp.messaging.incoming.run-start.connector", "mp.messaging.incoming.heartbeat.connector",
                "mp.messaging.outgoing.run-status.connector", "mp.messaging.incoming.audit.connector",
                "mp.messaging.incoming.run-start.group.id");

        // When
        Map<String, String> derived = derivedFrom(declared);

        // Then
        assertThat(derived)
                .containsEntry("mp.messaging.incoming.run-start.topic", Topics.RUN_START)
                .containsEntry("mp.messaging.incoming.run-start.value.deserializer",
                        "org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .containsEntry("mp.messaging.incoming.run-start.failure-strategy", "dead-letter-queue")
                .containsEntry("mp.messaging.incoming.run-start.dead-letter-queue.topic", Topics.DEAD_LETTER)
                .containsEntry("mp.messaging.incoming.heartbeat.topic", Topics.GUARDIAN_HEARTBEAT)
                .containsEntry("mp.messaging.incoming.heartbeat.failure-strategy", "ignore")
                .containsEntry("mp.messaging.outgoing.run-status.topic", Topics.RUN_STATUS)
                .containsEntry("mp.messaging.outgoing.run-status.cloud-events-type", EventType.RUN_STATUS.ceType())
                .containsEntry("mp.messaging.outgoing.run-status.cloud-events-mode", "binary")
                .containsEntry("mp.messaging.outgoing.run-status.value.serializer",
                        "org.apache.kafka.common.serialization.ByteArraySerializer");
        assertThat(derived.keySet()).as("only declared channels: SmallRye creates a channel for every name")
                .allMatch(k -> k.startsWith("mp.messaging.incoming.run-start.")
                        || k.startsWith("mp.messaging.incoming.heartbeat.")
                        || k.startsWith("mp.messaging.outgoing.run-status."));
    }

    @Test
    void shouldDeadLetterInvalidAbortsAndRunStatusesButIgnoreInvalidHeartbeats() {
        // Given
        var declared = List.of("mp.messaging.incoming.abort.connector", "mp.messaging.incoming.run-status.connector",
                "mp.messaging.incoming.heartbeat.connector");

        // When
        Map<String, String> derived = derivedFrom(declared);

        // Then
        assertThat(derived)
                .containsEntry("mp.messaging.incoming.abort.failure-strategy", "dead-letter-queue")
                .containsEntry("mp.messaging.incoming.run-status.failure-strategy", "dead-letter-queue")
                .containsEntry("mp.messaging.incoming.heartbeat.failure-strategy", "ignore");
    }

    @Test
    void shouldNameAChannelForEveryTopic() {
        // Given: one channel per topic (a halt release rides the abort topic, read with the aborts; the steady-state
        // verdicts are the scheduler's run-verdict channel, and the executors' group-less fail-safe feed too), but
        // those read with a plain consumer only: the claims and the metric samples (the guardian's evaluating loop);
        // and the scheduler's start records, which ride the run-start channel and no service reads
        var plain = List.of(Topics.RUN_CLAIMS, Topics.METRICS, Topics.SCHEDULER_STARTS);
        var topics = EventType.ALL.stream().map(EventType::topic).distinct().filter(t -> !plain.contains(t)).toList();

        // When / Then
        assertThat(ChannelDefaults.CHANNELS.values()).extracting(EventType::topic)
                .containsExactlyInAnyOrderElementsOf(topics);
    }

    private static Map<String, String> derivedFrom(List<String> names) {
        Iterable<ConfigSource> sources = new ChannelDefaults().getConfigSources(new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                return null;
            }

            @Override
            public Iterator<String> iterateNames() {
                return names.iterator();
            }
        });
        return StreamSupport.stream(sources.spliterator(), false).findFirst().orElseThrow().getProperties();
    }
}
