package io.tumult.guardian.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tumult.guardian.alerts.AlertsConfig.Unmapped;
import io.tumult.guardian.runs.LiveRun;
import io.tumult.schemas.v1.RunAborted;

/** Mapping and once-only delivery; the receivers around it are covered over HTTP in AlertReceiversTest. */
class AlertBridgeTest {

    private final LiveRun shop = new LiveRun(UUID.randomUUID(), "checkout", "shop", List.of(),
            Instant.now().plusSeconds(300));
    private final LiveRun other = new LiveRun(UUID.randomUUID(), "search", "web", List.of(),
            Instant.now().plusSeconds(300));

    @Test
    void shouldAbortAGrafanaKafkaIncidentOncePerEpisode() {
        // Given
        var bridge = bridge(Unmapped.NONE);
        List<Alert> firing = AlertPayloads.kafkaRest(record("alerting"));
        List<Alert> resolved = AlertPayloads.kafkaRest(record("ok"));

        // When
        var first = bridge.decide("kafka-rest", firing);
        var repeat = bridge.decide("kafka-rest", firing);
        var resolution = bridge.decide("kafka-rest", resolved);
        var nextEpisode = bridge.decide("kafka-rest", firing);

        // Then
        assertThat(first.aborts()).extracting(RunAborted::runId).containsExactly(shop.runId().toString());
        assertThat(repeat.aborts()).isEmpty();
        assertThat(repeat.duplicates()).isEqualTo(1);
        assertThat(resolution.aborts()).isEmpty();
        assertThat(resolution.resolved()).isEqualTo(1);
        assertThat(nextEpisode.aborts()).extracting(RunAborted::runId).containsExactly(shop.runId().toString());
    }

    @Test
    void shouldFollowTheConfiguredDefaultForAnAlertWithoutMappingLabels() {
        // Given
        var alert = List.of(new Alert("fp@t", true, Map.of("alertname", "Unlabelled"), "Unlabelled", null));

        // When
        var everyLiveRun = bridge(Unmapped.ABORT_LIVE_RUNS).decide("alertmanager", alert);
        var haltAll = bridge(Unmapped.HALT_ALL).decide("alertmanager", alert);
        var nothing = bridge(Unmapped.NONE).decide("alertmanager", alert);

        // Then
        assertThat(everyLiveRun.aborts()).extracting(RunAborted::runId)
                .containsExactlyInAnyOrder(shop.runId().toString(), other.runId().toString());
        assertThat(haltAll.aborts()).extracting(RunAborted::runId).containsExactly(RunAborted.ALL_RUNS);
        assertThat(nothing.aborts()).isEmpty();
        assertThat(nothing.unmapped()).containsExactly("Unlabelled");
    }

    private AlertBridge bridge(Unmapped unmapped) {
        return new AlertBridge(now -> List.of(shop, other), new AlertsConfig() {
            @Override
            public Unmapped unmapped() {
                return unmapped;
            }

            @Override
            public int rememberedAlerts() {
                return 100;
            }

            @Override
            public Map<String, Receiver> receivers() {
                return Map.of();
            }
        });
    }

    private static byte[] record(String state) {
        return ("{\"records\":[{\"value\":{\"alert_state\":\"" + state + "\",\"incident_key\":\"abc\","
                + "\"description\":\"[FIRING:1] Errors\",\"details\":\"**Firing**\\n\\nLabels:\\n - alertname = Errors\\n"
                + " - tumult_namespace = shop\\nAnnotations:\\n\"}}]}").getBytes(StandardCharsets.UTF_8);
    }
}
