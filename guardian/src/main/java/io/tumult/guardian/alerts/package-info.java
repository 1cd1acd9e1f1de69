/**
 * Alert bridges to the abort topic: REST receivers for Grafana's webhook contact point ({@code POST /alerts/grafana}),
 * Alertmanager's webhook ({@code POST /alerts/alertmanager}) and Grafana's Kafka REST Proxy v2 contact point
 * ({@code POST /alerts/kafka/topics/tumult.runs.abort}).
 * <p>
 * {@link io.tumult.guardian.alerts.AlertResource} authenticates (bearer, basic, or Grafana's HMAC signature with a
 * replay window; see {@link io.tumult.guardian.alerts.AlertsConfig}), {@link io.tumult.guardian.alerts.AlertPayloads}
 * reads each format into {@link io.tumult.guardian.alerts.Alert}s naming the first bad field, and
 * {@link io.tumult.guardian.alerts.AlertBridge} maps their {@code tumult_*} labels onto the live runs
 * ({@link io.tumult.guardian.runs.LiveRuns}: every run in progress, whichever replica evaluates it) and remembers each
 * alert, so that it aborts once. The evaluating loop's producer publishes
 * ({@link io.tumult.guardian.messaging.GuardianLoop#publish}); the receiver answers once the broker has the aborts.
 */
package io.tumult.guardian.alerts;
