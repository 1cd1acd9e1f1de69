package io.tumult.guardian.bridges;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tumult.local.FreePort;
import io.tumult.local.GaugeTarget;
import io.tumult.local.LocalAlertmanager;
import io.tumult.local.LocalPrometheus;

/**
 * A real Prometheus scraping a {@link GaugeTarget} the tests control every 200 ms, with one alerting rule
 * ({@code tumult_alert_gauge > 0.5}, its alerts labelled by the series' own labels) sent to a real Alertmanager,
 * whose webhook is the guardian under test (bearer {@link #ALERTMANAGER_TOKEN}). The guardian's HTTP port is chosen
 * here, since Alertmanager must know it before the guardian starts.
 */
public class ObservabilityResource implements QuarkusTestResourceLifecycleManager {

    public static final String ALERTMANAGER_TOKEN = "alertmanager-test-token";
    public static final String ALERT_GAUGE = "tumult_alert_gauge";
    private static final String RULES = """
            groups:
              - name: tumult-test
                interval: 200ms
                rules:
                  - alert: TumultTestBreach
                    expr: tumult_alert_gauge > 0.5
                    annotations: { summary: 'the test gauge crossed 0.5' }
            """;

    private static volatile GaugeTarget target;
    private LocalAlertmanager alertmanager;
    private LocalPrometheus prometheus;

    /** The scrape target the running test controls. */
    public static GaugeTarget target() {
        return target;
    }

    @Override
    public Map<String, String> start() {
        int guardianPort = FreePort.pick();
        try {
            target = GaugeTarget.start();
            alertmanager = LocalAlertmanager.start("http://127.0.0.1:" + guardianPort + "/alerts/alertmanager",
                    "{ authorization: { credentials: " + ALERTMANAGER_TOKEN + " } }");
            prometheus = LocalPrometheus.start(List.of(target.address()), Duration.ofMillis(200), RULES,
                    alertmanager.address());
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("cannot start Prometheus and Alertmanager: " + e.getMessage(), e);
        }
        return Map.of("quarkus.http.test-port", String.valueOf(guardianPort),
                "tumult.guardian.prometheus.url", prometheus.url());
    }

    @Override
    public void stop() {
        // each in its own finally: one failing to stop must not leave the others running
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            try {
                if (alertmanager != null) {
                    alertmanager.close();
                }
            } finally {
                if (target != null) {
                    target.close();
                }
            }
        }
    }
}
