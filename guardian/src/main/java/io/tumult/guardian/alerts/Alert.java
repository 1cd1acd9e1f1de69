package io.tumult.guardian.alerts;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One alert as a receiver read it, whatever sent it.
 *
 * @param identity what makes this alert one alert: fingerprint and start (Grafana, Alertmanager), or the incident
 *        key and the alert's labels (Grafana's Kafka REST Proxy contact point, which sends neither fingerprint nor
 *        start; its resolution, identified by the incident key alone, ends the episode); each identity aborts once
 * @param firing false for a resolved alert, which does nothing
 * @param labels its labels, where the {@code tumult_*} mapping labels are read
 * @param name what people call it ({@code alertname}, or the description)
 * @param startsAt when it started firing, or null when the sender does not say
 */
public record Alert(String identity, boolean firing, Map<String, String> labels, String name, Instant startsAt) {

    public Alert {
        Objects.requireNonNull(identity, "identity");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(name, "name");
    }
}
