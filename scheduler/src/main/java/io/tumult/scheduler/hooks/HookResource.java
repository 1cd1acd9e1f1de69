package io.tumult.scheduler.hooks;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.api.InvalidInputException;
import io.tumult.scheduler.hooks.HookException.Reason;
import io.tumult.schemas.json.Violation;

/**
 * CD post-deploy hooks. They carry no bearer token: each authenticates its delivery its own way (an HMAC signature, or
 * Argo CD's bearer token) before anything is read or stored. A forged, unsigned or replayed delivery gets 401 and starts
 * nothing; a duplicate gets 200 and starts nothing; an accepted one gets 202 naming the runs it will start.
 */
@Path("/hooks")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class HookResource {

    static final String GENERIC_TIMESTAMP = "X-Tumult-Timestamp";
    static final String GENERIC_SIGNATURE = "X-Tumult-Signature";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HooksConfig config;
    private final DeployHooks hooks;
    private final Clock clock = Clock.systemUTC();

    HookResource(HooksConfig config, DeployHooks hooks) {
        this.config = config;
        this.hooks = hooks;
    }

    /**
     * Ignored deliveries (not a successful deploy, another environment) and duplicates answer 200; accepted ones 202.
     *
     * @param ignored why nothing was recorded; absent when the delivery was accepted or a duplicate
     */
    public record HookAnswer(String deliveryId, boolean duplicate, List<DeployHooks.Match> runs, String ignored) {
    }

    /**
     * The generic hook: {@code X-Tumult-Timestamp} (Unix seconds), {@code X-Tumult-Signature: sha256=<hex HMAC-SHA256
     * of "<timestamp>.<body>">}, {@code Idempotency-Key}; body {@code {"service", "environment", "labels"}}.
     */
    @POST
    @Path("generic")
    @Operation(summary = "A deploy, signed with the shared secret (HMAC-SHA256 over timestamp.body)")
    @APIResponse(responseCode = "202", description = "Accepted: the runs it starts")
    @APIResponse(responseCode = "200", description = "A duplicate delivery: nothing started")
    @APIResponse(responseCode = "401", description = "Unsigned, forged or outside the replay window")
    @APIResponse(responseCode = "409", description = "The idempotency key was used before for another body")
    public Uni<Response> generic(@HeaderParam(GENERIC_TIMESTAMP) String timestamp,
            @HeaderParam(GENERIC_SIGNATURE) String signature, @HeaderParam(IDEMPOTENCY_KEY) String key, byte[] body) {
        String secret = config.genericSecret().orElseThrow(() -> off("generic"));
        Instant at = parseTimestamp(timestamp);
        if (Duration.between(at, clock.instant()).abs().compareTo(config.replayWindow()) > 0) {
            throw new HookException(Reason.UNAUTHENTICATED, "header " + GENERIC_TIMESTAMP + " is outside the replay window"
                    + " of " + config.replayWindow().toSeconds() + " s: a replayed or delayed delivery is refused");
        }
        String expected = "sha256=" + Signatures.hmacSha256Hex(secret,
                Signatures.concat((timestamp.trim() + ".").getBytes(StandardCharsets.UTF_8), body));
        if (!Signatures.same(expected, signature == null ? null : signature.trim())) {
            throw new HookException(Reason.UNAUTHENTICATED, signature == null ? "header " + GENERIC_SIGNATURE + " is missing"
                    : "header " + GENERIC_SIGNATURE + " does not match the body and timestamp");
        }
        if (key == null || key.isBlank() || key.length() > 200) {
            throw new InvalidInputException("invalid delivery", List.of(new Violation("header." + IDEMPOTENCY_KEY,
                    "required: 1 to 200 characters naming this delivery")));
        }
        JsonNode json = parse(body);
        var bad = new ArrayList<Violation>();
        String service = text(json, "service", true, bad);
        String environment = text(json, "environment", false, bad);
        Map<String, String> labels = labels(json.get("labels"), "$.labels", bad);
        if (!bad.isEmpty()) {
            throw new InvalidInputException("invalid delivery", bad);
        }
        // the signature names the signed content: the same timestamp and body under a fresh key is a replay
        return answer(hooks.accept(new Deploy("generic", key.trim(), service, environment, labels,
                expected.substring("sha256=".length())), body));
    }

    /**
     * GitHub's {@code deployment_status} webhook, signed with X-Hub-Signature-256. Only {@code success} starts runs;
     * other events and states, and environments not configured, answer 200 and start nothing.
     */
    @POST
    @Path("github")
    @Operation(summary = "GitHub deployment_status webhook (X-Hub-Signature-256)")
    public Uni<Response> github(@HeaderParam("X-Hub-Signature-256") String signature,
            @HeaderParam("X-GitHub-Event") String event, @HeaderParam("X-GitHub-Delivery") String delivery,
            byte[] body) {
        String secret = config.githubSecret().orElseThrow(() -> off("github"));
        if (!Signatures.same("sha256=" + Signatures.hmacSha256Hex(secret, body), signature == null ? null : signature.trim())) {
            throw new HookException(Reason.UNAUTHENTICATED, signature == null ? "header X-Hub-Signature-256 is missing"
                    : "header X-Hub-Signature-256 does not match the body");
        }
        if (!"deployment_status".equals(event)) {
            return ignored(delivery, "event " + event + " is not deployment_status");
        }
        if (delivery == null || delivery.isBlank()) {
            throw new InvalidInputException("invalid delivery", List.of(new Violation("header.X-GitHub-Delivery",
                    "required")));
        }
        JsonNode json = parse(body);
        String state = json.at("/deployment_status/state").asText("");
        if (!"success".equals(state)) {
            return ignored(delivery, "deployment state " + state + " is not success");
        }
        String environment = json.at("/deployment_status/environment").asText(json.at("/deployment/environment")
                .asText(null));
        if (config.githubEnvironments().isPresent() && !config.githubEnvironments().get().contains(environment)) {
            return ignored(delivery, "environment " + environment + " is not one this scheduler takes");
        }
        String service = json.at("/repository/name").asText("");
        if (service.isEmpty()) {
            throw new InvalidInputException("invalid delivery", List.of(new Violation("$.repository.name", "required")));
        }
        var labels = new HashMap<String, String>();
        putIfText(labels, "repository", json.at("/repository/full_name"));
        putIfText(labels, "ref", json.at("/deployment/ref"));
        putIfText(labels, "sha", json.at("/deployment/sha"));
        putIfText(labels, "task", json.at("/deployment/task"));
        // X-GitHub-Delivery is not signed; the deployment status's id is, and names the event
        String statusId = json.at("/deployment_status/id").asText("");
        if (statusId.isEmpty()) {
            throw new InvalidInputException("invalid delivery", List.of(new Violation("$.deployment_status.id",
                    "required")));
        }
        return answer(hooks.accept(new Deploy("github", delivery.trim(), service, environment, labels, statusId), body));
    }

    /**
     * Argo CD notifications' webhook service, with {@code Authorization: Bearer <token>}. Body (the notification
     * template): {@code {"app", "namespace", "revision", "finishedAt", "labels"}}. Its retries of one notification
     * carry the same app, revision and finish time: one delivery.
     */
    @POST
    @Path("argocd")
    @Operation(summary = "Argo CD notifications webhook (bearer token)")
    public Uni<Response> argocd(@HeaderParam("Authorization") String authorization, byte[] body) {
        String token = config.argocdToken().orElseThrow(() -> off("argocd"));
        if (!Signatures.same("Bearer " + token, authorization == null ? null : authorization.trim())) {
            throw new HookException(Reason.UNAUTHENTICATED, authorization == null ? "header Authorization is missing"
                    : "header Authorization does not carry the Argo CD hook's token");
        }
        JsonNode json = parse(body);
        var bad = new ArrayList<Violation>();
        String app = text(json, "app", true, bad);
        String namespace = text(json, "namespace", false, bad);
        String revision = text(json, "revision", true, bad);
        String finishedAt = text(json, "finishedAt", true, bad);
        Map<String, String> labels = labels(json.get("labels"), "$.labels", bad);
        if (!bad.isEmpty()) {
            throw new InvalidInputException("invalid delivery", bad);
        }
        return answer(hooks.accept(new Deploy("argocd", app + "@" + revision + "@" + finishedAt, app, namespace, labels,
                null), body));
    }

    private static Uni<Response> answer(Uni<DeployHooks.Accepted> accepted) {
        return accepted.map(a -> Response.status(a.duplicate() ? 200 : 202)
                .entity(new HookAnswer(a.deliveryId(), a.duplicate(), a.matched(), null)).build());
    }

    private static Uni<Response> ignored(String delivery, String why) {
        return Uni.createFrom().item(Response.ok(new HookAnswer(delivery, false, List.of(), why)).build());
    }

    private static HookException off(String hook) {
        return new HookException(Reason.DISABLED, "the " + hook + " hook is off: its secret is not configured");
    }

    private static Instant parseTimestamp(String timestamp) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NullPointerException | NumberFormatException e) {
            throw new HookException(Reason.UNAUTHENTICATED, "header " + GENERIC_TIMESTAMP
                    + " must be the delivery's time in Unix seconds");
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json == null || !json.isObject()) {
                throw new InvalidInputException("invalid delivery", List.of(new Violation("$", "not a JSON object")));
            }
            return json;
        } catch (java.io.IOException e) {
            throw new InvalidInputException("invalid delivery", List.of(new Violation("$", "not well-formed JSON")));
        }
    }

    private static String text(JsonNode json, String field, boolean required, List<Violation> bad) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            if (required) {
                bad.add(new Violation("$." + field, "required"));
            }
            return null;
        }
        if (!value.isTextual()) {
            bad.add(new Violation("$." + field, "must be a string"));
            return null;
        }
        return value.asText();
    }

    private static Map<String, String> labels(JsonNode node, String path, List<Violation> bad) {
        var labels = new HashMap<String, String>();
        if (node == null || node.isNull()) {
            return labels;
        }
        if (!node.isObject()) {
            bad.add(new Violation(path, "must be an object of strings"));
            return labels;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                labels.put(e.getKey(), e.getValue().asText());
            } else {
                bad.add(new Violation(path + "." + e.getKey(), "must be a string"));
            }
        });
        return labels;
    }

    private static void putIfText(Map<String, String> labels, String key, JsonNode value) {
        if (value.isTextual() && !value.asText().isBlank()) {
            labels.put(key, value.asText());
        }
    }
}
