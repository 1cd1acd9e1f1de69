package io.tumult.guardian.prometheus;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The Prometheus bridge's configuration, under {@code tumult.guardian.prometheus}. */
@ConfigMapping(prefix = "tumult.guardian.prometheus")
public interface PrometheusConfig {

    /**
     * Base URL of Prometheus' HTTP API, for example {@code http://prometheus.monitoring:9090}. Without it, every
     * {@code query:} condition has no data, which aborts its run by default (the reason says so).
     */
    Optional<String> url();

    /** How often every live run's queries are evaluated; one evaluation per distinct query per poll. */
    @WithDefault("1s")
    Duration pollInterval();

    /** The longest one query may take, connecting included; also sent as Prometheus' evaluation timeout. */
    @WithDefault("2s")
    Duration timeout();

    /** A bearer token sent to Prometheus, if it sits behind authentication. */
    Optional<String> bearerToken();

    /** A user name for basic authentication to Prometheus (with {@link #password()}). */
    Optional<String> username();

    /** The password for basic authentication to Prometheus. */
    Optional<String> password();
}
