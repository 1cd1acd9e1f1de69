package io.tumult.guardian.alerts;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The alert receivers' configuration, under {@code tumult.guardian.alerts}. */
@ConfigMapping(prefix = "tumult.guardian.alerts")
public interface AlertsConfig {

    /** What to do with a firing alert that carries none of the {@code tumult_*} mapping labels. */
    @WithDefault("abort-live-runs")
    Unmapped unmapped();

    /** How many alert identities are remembered, so that each aborts once (the oldest are forgotten first). */
    @WithDefault("10000")
    int rememberedAlerts();

    /**
     * The receivers, by name: {@code grafana} ({@code POST /alerts/grafana}), {@code alertmanager}
     * ({@code POST /alerts/alertmanager}) and {@code kafka-rest} ({@code POST /alerts/kafka/topics/{topic}}). A
     * receiver that is not configured answers 404.
     */
    Map<String, Receiver> receivers();

    /** What an alert without mapping labels does. */
    enum Unmapped {
        /** Abort every run in progress (the fail-safe default: whoever wired the alert to Tumult meant it). */
        ABORT_LIVE_RUNS,
        /** Halt all runs, which also refuses new ones until released. */
        HALT_ALL,
        /** Abort nothing; the answer lists the alert as unmapped, and it is logged. */
        NONE
    }

    /** How a receiver authenticates its sender. */
    enum Auth {
        /** {@code Authorization: Bearer <token>}. */
        BEARER,
        /** {@code Authorization: Basic ...} with the configured user name and password. */
        BASIC,
        /**
         * Grafana's HMAC signature: the hex HMAC-SHA256 of {@code <timestamp>:<body>} in {@link Receiver#hmacHeader()},
         * the Unix-seconds timestamp in {@link Receiver#hmacTimestampHeader()}; refused outside the replay window and
         * when seen before.
         */
        HMAC,
        /** No authentication: for a sender on a trusted network only. */
        NONE
    }

    /** One receiver. */
    interface Receiver {

        /** How this receiver authenticates requests; it has no default, so that an open receiver is a choice. */
        Auth auth();

        /** The bearer token, for {@code auth=bearer}. */
        Optional<String> token();

        /** The user name, for {@code auth=basic}. */
        Optional<String> username();

        /** The password, for {@code auth=basic}. */
        Optional<String> password();

        /** The shared secret, for {@code auth=hmac}. */
        Optional<String> hmacSecret();

        /** The header carrying the signature (Grafana's {@code hmacConfig.header}; set it there too). */
        @WithDefault("X-Grafana-Alerting-Signature")
        String hmacHeader();

        /** The header carrying the timestamp (Grafana's {@code hmacConfig.timestampHeader}; required for replay checks). */
        @WithDefault("X-Grafana-Alerting-Timestamp")
        String hmacTimestampHeader();

        /** How far a signed request's timestamp may be from now; a signature is accepted once within it. */
        @WithDefault("5m")
        Duration replayWindow();
    }
}
