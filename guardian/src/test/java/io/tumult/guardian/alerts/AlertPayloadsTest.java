package io.tumult.guardian.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reading the senders' formats; the sample is Grafana's documented webhook body. */
class AlertPayloadsTest {

    @Test
    void shouldReadGrafanasWebhookSample() throws IOException {
        // Given
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream("/grafana-webhook-contact-point.json")) {
            body = in.readAllBytes();
        }

        // When
        var alerts = AlertPayloads.webhook(body);

        // Then
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).firing()).isTrue();
        assertThat(alerts.get(0).name()).isEqualTo("High memory usage");
        assertThat(alerts.get(0).startsAt()).isEqualTo(Instant.parse("2021-10-12T07:51:03.157076Z"));
        assertThat(alerts.get(0).identity()).isEqualTo("c6eadffa33fcdf37@2021-10-12T07:51:03.157076Z");
        assertThat(alerts.get(1).labels()).containsEntry("zone", "eu-1");
    }

    @Test
    void shouldReadTheLabelsOfFiringAlertsFromGrafanasDefaultMessage() {
        // Given: the layout of Grafana's default.message template
        String details = """
                **Firing**

                Value: B=0.2
                Labels:
                 - alertname = CheckoutErrors
                 - tumult_namespace = shop
                Annotations:
                 - summary = errors
                Source: http://grafana/alerting/1

                **Resolved**

                Value: B=0
                Labels:
                 - alertname = Old
                 - tumult_run_id = 00000000-0000-0000-0000-000000000001
                Annotations:
                """;

        // When
        var sets = AlertPayloads.labelsFromMessage(details);

        // Then
        assertThat(sets).containsExactly(Map.of("alertname", "CheckoutErrors", "tumult_namespace", "shop"));
    }

    @Test
    void shouldNameTheFirstBadField() {
        // When / Then
        assertThatThrownBy(() -> AlertPayloads.webhook("{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1}}]}"
                .getBytes(StandardCharsets.UTF_8))).asInstanceOf(type(BadPayloadException.class))
                .satisfies(e -> assertThat(e.field()).isEqualTo("$.alerts[0].labels.a"));
        assertThatThrownBy(() -> AlertPayloads.kafkaRest("{\"records\":[]}".getBytes(StandardCharsets.UTF_8)))
                .asInstanceOf(type(BadPayloadException.class))
                .satisfies(e -> assertThat(e.field()).isEqualTo("$.records"));
    }
}
