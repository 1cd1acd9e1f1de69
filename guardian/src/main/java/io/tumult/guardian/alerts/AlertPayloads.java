package io.tumult.guardian.alerts;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the three alert formats the guardian receives into {@link Alert}s, naming the first field that does not fit.
 * Unknown fields are ignored: senders add fields between versions.
 */
public final class AlertPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A label line of Grafana's default message template: {@code " - name = value"}. */
    private static final Pattern LABEL_LINE = Pattern.compile("^ - ([a-zA-Z_][a-zA-Z0-9_]*) = (.*)$");

    private AlertPayloads() {
    }

    /**
     * The webhook body Alertmanager sends (version 4) and Grafana's webhook contact point sends (version 1, the same
     * fields plus its own): {@code alerts[]} with {@code status}, {@code labels}, {@code startsAt},
     * {@code fingerprint}.
     */
    public static List<Alert> webhook(byte[] body) {
        JsonNode root = parse(body);
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new BadPayloadException("$.alerts", "required, an array of alerts");
        }
        var out = new ArrayList<Alert>();
        for (int i = 0; i < alerts.size(); i++) {
            String at = "$.alerts[" + i + "]";
            JsonNode alert = alerts.get(i);
            if (!alert.isObject()) {
                throw new BadPayloadException(at, "must be an object");
            }
            String status = text(alert, at, "status");
            if (!status.equals("firing") && !status.equals("resolved")) {
                throw new BadPayloadException(at + ".status", "must be firing or resolved, not '" + status + "'");
            }
            Map<String, String> labels = labels(alert.get("labels"), at + ".labels");
            String runId = labels.get(AlertBridge.RUN_ID);
            if (runId != null && !AlertBridge.isUuid(runId)) {
                throw new BadPayloadException(at + ".labels." + AlertBridge.RUN_ID, "not a run id (a UUID): '" + runId
                        + "'");
            }
            Instant startsAt = instant(text(alert, at, "startsAt"), at + ".startsAt");
            String fingerprint = text(alert, at, "fingerprint");
            out.add(new Alert(fingerprint + "@" + startsAt, status.equals("firing"), labels,
                    labels.getOrDefault("alertname", fingerprint), startsAt));
        }
        return out;
    }

    /**
     * The body Grafana's Kafka REST Proxy contact point posts (REST Proxy v2,
     * {@code application/vnd.kafka.json.v2+json}): {@code records[].value} with {@code alert_state}
     * ({@code alerting} or {@code ok}), {@code incident_key}, {@code description} and {@code details}. That format
     * carries no labels: they are read from {@code details} in the form Grafana's default message writes them
     * ({@code Labels:} followed by {@code " - name = value"} lines), one label set per firing alert in the group
     * (those under {@code **Resolved**} are skipped).
     */
    public static List<Alert> kafkaRest(byte[] body) {
        JsonNode root = parse(body);
        JsonNode records = root.get("records");
        if (records == null || !records.isArray() || records.isEmpty()) {
            throw new BadPayloadException("$.records", "required, a non-empty array of records");
        }
        var out = new ArrayList<Alert>();
        for (int i = 0; i < records.size(); i++) {
            String at = "$.records[" + i + "].value";
            JsonNode value = records.get(i).get("value");
            if (value == null || !value.isObject()) {
                throw new BadPayloadException(at, "required, an object (Grafana's alert record)");
            }
            String state = text(value, at, "alert_state");
            if (!state.equals("alerting") && !state.equals("ok")) {
                throw new BadPayloadException(at + ".alert_state", "must be alerting or ok, not '" + state + "'");
            }
            String incident = text(value, at, "incident_key");
            String description = value.path("description").asText("");
            if (state.equals("ok")) {
                // the group resolved: its next firing is a new episode (see AlertBridge)
                out.add(new Alert(incident, false, Map.of(), description.isBlank() ? incident : description, null));
                continue;
            }
            List<Map<String, String>> labelSets = labelsFromMessage(value.path("details").asText(""));
            if (labelSets.isEmpty()) {
                labelSets = List.of(Map.of());
            }
            for (Map<String, String> labels : labelSets) {
                String runId = labels.get(AlertBridge.RUN_ID);
                if (runId != null && !AlertBridge.isUuid(runId)) {
                    throw new BadPayloadException(at + ".details", "label " + AlertBridge.RUN_ID
                            + " is not a run id (a UUID): '" + runId + "'");
                }
                out.add(new Alert(incident + "/" + new java.util.TreeMap<>(labels), true, labels,
                        labels.getOrDefault("alertname", description.isBlank() ? incident : description), null));
            }
        }
        return out;
    }

    /** How many records a REST Proxy body holds (after {@link #kafkaRest} accepted it). */
    static int recordCount(byte[] body) {
        return parse(body).get("records").size();
    }

    static List<Map<String, String>> labelsFromMessage(String message) {
        var sets = new ArrayList<Map<String, String>>();
        Map<String, String> current = null;
        boolean resolved = false; // the default message lists resolved alerts too, under **Resolved**
        for (String line : message.split("\n", -1)) {
            if (line.strip().equals("**Resolved**") || line.strip().equals("**Firing**")) {
                resolved = line.strip().equals("**Resolved**");
                current = null;
                continue;
            }
            if (line.strip().equals("Labels:") && !resolved) {
                current = new HashMap<>();
                sets.add(current);
                continue;
            }
            Matcher m = LABEL_LINE.matcher(line);
            if (current != null && m.matches()) {
                current.put(m.group(1), m.group(2).strip());
            } else {
                current = null;
            }
        }
        return sets;
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new BadPayloadException("$", "must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new BadPayloadException("$", "not well-formed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadPayloadException("$", "unreadable: " + e.getMessage());
        }
    }

    private static String text(JsonNode object, String at, String field) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new BadPayloadException(at + "." + field, "required, a non-empty string");
        }
        return value.asText();
    }

    private static Map<String, String> labels(JsonNode labels, String at) {
        if (labels == null || !labels.isObject()) {
            throw new BadPayloadException(at, "required, an object of label names to values");
        }
        var out = new HashMap<String, String>();
        var fields = labels.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (!e.getValue().isTextual()) {
                throw new BadPayloadException(at + "." + e.getKey(), "a label value must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Instant instant(String text, String at) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadPayloadException(at, "not an RFC 3339 time: '" + text + "'");
        }
    }
}
