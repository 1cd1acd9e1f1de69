package io.tumult.guardian.prometheus;

import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The guardian's one {@link PrometheusClient}, as configured ({@link PrometheusConfig}), shared by the PromQL poller
 * and the backtest; empty when no Prometheus is configured.
 */
@ApplicationScoped
public class PrometheusConnection {

    private final PrometheusClient client;

    PrometheusConnection(PrometheusConfig config) {
        this.client = config.url().map(url -> new PrometheusClient(url, config.timeout(), authorization(config)))
                .orElse(null);
    }

    /** The client, or empty when {@code tumult.guardian.prometheus.url} is not set. */
    public Optional<PrometheusClient> client() {
        return Optional.ofNullable(client);
    }

    /** Why there is no client, for reasons shown to people. */
    public static final String NOT_CONFIGURED = "no Prometheus configured: set tumult.guardian.prometheus.url";

    private static String authorization(PrometheusConfig config) {
        if (config.bearerToken().isPresent()) {
            return "Bearer " + config.bearerToken().get();
        }
        return config.username()
                .map(user -> okhttp3.Credentials.basic(user, config.password().orElse(""))).orElse(null);
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
