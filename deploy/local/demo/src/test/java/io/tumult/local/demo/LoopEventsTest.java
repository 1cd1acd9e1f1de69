package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.tumult.local.EventClient;
import io.tumult.local.LocalKafka;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/** The timeline against a real broker: a record that is not a valid event must not end it. */
class LoopEventsTest {

    private static LocalKafka kafka;
    private static EventClient client;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start();
        client = new EventClient(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopKafka() {
        if (client != null) {
            client.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldSkipAMalformedRunStartInOneLineAndShowTheNextValidOne() throws Exception {
        // Given a timeline reading the broker, and a malformed run-start (as kcat would produce it) before a valid one,
        // under the same key so that both are on one partition, in that order
        var printed = new ByteArrayOutputStream();
        var out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        var valid = new RunStarted(UUID.randomUUID(), "after-the-bad-one", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                        Duration.ofSeconds(30), null, null, null, null));
        client.publishRaw(EventType.RUN_STARTED, valid.runId().toString(),
                "{\"runId\":\"not-a-uuid\"}".getBytes(StandardCharsets.UTF_8));

        try (var events = new LoopEvents(kafka.bootstrapServers())) {
            LocalLoop.printTimeline(events, Instant.now(), out, status -> {
            });

            // When
            client.publish(EventType.RUN_STARTED, valid.runId().toString(), valid, "/tumult/test");

            // Then the valid run-start is shown after one line about the skipped record
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(events.first(EventType.RUN_STARTED,
                    s -> s.runId().equals(valid.runId()))).isPresent());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(printed.toString(StandardCharsets.UTF_8)).contains("run-start  " + valid.runId()));
            String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[0]).contains("skipped", EventType.RUN_STARTED.topic(), "(key " + valid.runId() + ")", "$.runId");
            assertThat(lines[1]).contains("run-start  " + valid.runId() + " of after-the-bad-one");
        }
    }
}
