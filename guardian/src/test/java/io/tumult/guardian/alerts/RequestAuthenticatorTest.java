package io.tumult.guardian.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.tumult.guardian.alerts.AlertsConfig.Auth;
import io.tumult.guardian.alerts.AlertsConfig.Receiver;

/** Configuration mistakes fail at once; the request checks themselves are covered over HTTP in AlertReceiversTest. */
class RequestAuthenticatorTest {

    @Test
    void shouldRefuseAReceiverConfiguredWithoutItsCredentials() {
        // When / Then
        assertThatThrownBy(() -> new RequestAuthenticator("alertmanager", receiver(Auth.BEARER, Optional.empty())))
                .hasMessage("tumult.guardian.alerts.receivers.alertmanager: auth=bearer needs token");
        assertThatThrownBy(() -> new RequestAuthenticator("grafana", receiver(Auth.HMAC, Optional.empty())))
                .hasMessageContaining("needs hmac-secret");
    }

    @Test
    void shouldAcceptGrafanasSignatureOnceWithinTheWindow() {
        // Given: the signature of "1700000000:{}" under secret "s3cret" as computed by
        // `openssl dgst -sha256 -hmac s3cret`, the way Grafana's hmacConfig signs
        var auth = new RequestAuthenticator("grafana", receiver(Auth.HMAC, Optional.of("s3cret")));
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        var headers = Map.of("X-Grafana-Alerting-Timestamp", "1700000000", "X-Grafana-Alerting-Signature",
                "60622de3014ee32d4d2aa963447209dd24d8c7d1b842ea441d6171b667750454");
        Instant now = Instant.ofEpochSecond(1_700_000_030L);

        // When
        Optional<String> first = auth.refusal(headers::get, body, now);
        Optional<String> again = auth.refusal(headers::get, body, now);
        Optional<String> otherBody = auth.refusal(headers::get, "{ }".getBytes(StandardCharsets.UTF_8), now);

        // Then
        assertThat(first).isEmpty();
        assertThat(again).hasValueSatisfying(why -> assertThat(why).startsWith("replayed"));
        assertThat(otherBody).contains("signature does not match the body");
    }

    private static Receiver receiver(Auth auth, Optional<String> secret) {
        return new Receiver() {
            @Override
            public Auth auth() {
                return auth;
            }

            @Override
            public Optional<String> token() {
                return secret;
            }

            @Override
            public Optional<String> username() {
                return Optional.empty();
            }

            @Override
            public Optional<String> password() {
                return Optional.empty();
            }

            @Override
            public Optional<String> hmacSecret() {
                return secret;
            }

            @Override
            public String hmacHeader() {
                return "X-Grafana-Alerting-Signature";
            }

            @Override
            public String hmacTimestampHeader() {
                return "X-Grafana-Alerting-Timestamp";
            }

            @Override
            public Duration replayWindow() {
                return Duration.ofMinutes(5);
            }
        };
    }
}
