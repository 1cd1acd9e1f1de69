package io.tumult.guardian.bridges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.EventClient;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Topics;
import io.tumult.schemas.v1.Trigger;

/**
 * Grafana-style alerting wired to the abort topic, all real: Prometheus scrapes a value the test sets and evaluates an
 * alerting rule every 200 ms, Alertmanager routes the alert ({@code group_wait: 0s}) to the guardian's webhook with a
 * bearer token, and the abort lands on the real broker.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
@WithTestResource(ObservabilityResource.class)
class AlertmanagerBridgeTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private EventClient kafka;

    @BeforeEach
    void connect() {
        kafka = new EventClient(bootstrapServers);
    }

    @Test
    void shouldAbortTheRunItsAlertNamesWhenTheScrapedValueCrossesTheRule() {
        // Given: a live run whose series is healthy and being scraped
        UUID run = UUID.randomUUID();
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                Duration.ofMinutes(5), null, null, List.of(), null);
        kafka.publish(EventType.RUN_STARTED, run.toString(),
                new RunStarted(run, "alertmanager-test", Trigger.MANUAL, Instant.now(), spec), "/test");
        String series = ObservabilityResource.ALERT_GAUGE + "{tumult_run_id=\"" + run + "\"}";
        var target = ObservabilityResource.target();
        target.set(series, 0.0);
        long scrapes = target.scrapes();
        await().atMost(WAIT).until(() -> target.scrapes() >= scrapes + 3);
        try {
            // When
            Instant crossed = Instant.now();
            target.set(series, 0.9);

            // Then
            var aborts = await().atMost(WAIT).until(() -> abortsFor(run), list -> !list.isEmpty());
            RunAborted abort = TumultJson.decode(EventType.RUN_ABORTED, aborts.get(0).value());
            assertThat(abort.source()).isEqualTo("alerts/alertmanager");
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.ALERT);
            assertThat(abort.reason().message()).contains("TumultTestBreach").contains("tumult_run_id=" + run);
            System.out.printf("Alertmanager bridge: value set -> abort on the topic in %d ms "
                    + "(scrape and rule evaluation every 200 ms, group_wait 0s)%n",
                    aborts.get(0).timestamp() - crossed.toEpochMilli());
        } finally {
            target.set(series, 0.0);
        }
    }

    private List<ConsumerRecord<String, byte[]>> abortsFor(UUID run) {
        return kafka.readAll(Topics.RUN_ABORT).stream().filter(r -> run.toString().equals(r.key())).toList();
    }
}
