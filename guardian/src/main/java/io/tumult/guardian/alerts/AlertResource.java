package io.tumult.guardian.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tumult.guardian.alerts.AlertAnswers.Offset;
import io.tumult.guardian.alerts.AlertAnswers.ProduceAnswer;
import io.tumult.guardian.alerts.AlertAnswers.ProxyError;
import io.tumult.guardian.alerts.AlertAnswers.Receipt;
import io.tumult.guardian.api.Problem;
import io.tumult.guardian.messaging.GuardianLoop;
import io.tumult.guardian.runs.LiveRuns;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.Topics;

/**
 * The alert receivers: Grafana's webhook contact point, Alertmanager's webhook, and Grafana's Kafka REST Proxy (v2)
 * contact point, each authenticated as configured. Answers 200 once the aborts are on the broker; 401 (nothing
 * published) when authentication fails; 400 naming the field when the body is not the sender's format; 404 for a
 * receiver that is not configured. Never a stack trace.
 */
@Startup // a receiver configured without its credentials fails the boot, not the first alert
@Path("/alerts")
public class AlertResource {

    public static final String GRAFANA = "grafana";
    public static final String ALERTMANAGER = "alertmanager";
    public static final String KAFKA_REST = "kafka-rest";
    /** REST Proxy v2's JSON embedded format, which Grafana's Kafka contact point sends. */
    public static final String KAFKA_JSON_V2 = "application/vnd.kafka.json.v2+json";

    private static final Logger LOG = Logger.getLogger(AlertResource.class);
    /** How long an answer waits for the broker to acknowledge the aborts (they are retried beyond it). */
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(10);

    private final AlertBridge bridge;
    private final GuardianLoop publisher;
    private final LiveRuns live;
    private final Map<String, RequestAuthenticator> receivers;
    private final Clock clock = Clock.systemUTC();

    AlertResource(AlertBridge bridge, GuardianLoop publisher, LiveRuns live, AlertsConfig config) {
        this.bridge = bridge;
        this.live = live;
        this.publisher = publisher;
        var byName = new HashMap<String, RequestAuthenticator>();
        config.receivers().forEach((name, receiver) -> {
            if (!List.of(GRAFANA, ALERTMANAGER, KAFKA_REST).contains(name)) {
                throw new IllegalStateException("tumult.guardian.alerts.receivers." + name
                        + ": no such receiver (grafana, alertmanager, kafka-rest)");
            }
            byName.put(name, new RequestAuthenticator(name, receiver));
        });
        this.receivers = Map.copyOf(byName);
    }

    /**
     * The runs in progress as the receivers see them: what a {@code tumult_*} label can abort; 503 until they are all
     * known.
     */
    @GET
    @Path("live-runs")
    @Produces(MediaType.APPLICATION_JSON)
    public Response liveRuns() {
        if (!live.complete()) {
            return Response.status(Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                    .entity(new Problem(new AlertBridge.RunsNotYetKnown().getMessage(), null)).build();
        }
        return Response.ok(live.live(clock.instant()), MediaType.APPLICATION_JSON).build();
    }

    @POST
    @Path(GRAFANA)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> grafana(byte[] body, @Context HttpHeaders headers) {
        return webhook(GRAFANA, body, headers);
    }

    @POST
    @Path(ALERTMANAGER)
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> alertmanager(byte[] body, @Context HttpHeaders headers) {
        return webhook(ALERTMANAGER, body, headers);
    }

    /** REST Proxy v2 {@code POST /topics/{topic}}: Grafana's Kafka contact point with this guardian as endpoint. */
    @POST
    @Path("kafka/topics/{topic}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> kafkaRest(@PathParam("topic") String topic, byte[] body, @Context HttpHeaders headers) {
        Optional<Response> refused = refuse(KAFKA_REST, body, headers,
                (status, message) -> new ProxyError(status.getStatusCode() * 100 + 1, message, null));
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        if (!Topics.RUN_ABORT.equals(topic)) {
            return answer(Status.NOT_FOUND, new ProxyError(40401, "Topic not found: only " + Topics.RUN_ABORT
                    + " accepts alerts", null));
        }
        MediaType type = headers.getMediaType();
        if (type == null || !KAFKA_JSON_V2.equals(type.getType() + "/" + type.getSubtype())) {
            return answer(Status.UNSUPPORTED_MEDIA_TYPE, new ProxyError(415, "Content-Type must be " + KAFKA_JSON_V2
                    + " (REST Proxy v2, JSON embedded format)", null));
        }
        try {
            List<Alert> alerts = AlertPayloads.kafkaRest(orEmpty(body));
            int records = AlertPayloads.recordCount(orEmpty(body));
            AlertBridge.Decision decision = bridge.decide(KAFKA_REST, alerts);
            return publish(decision, () -> new ProduceAnswer(
                    Collections.nCopies(records, new Offset(null, null, null, null)), null, null,
                    runIds(decision.aborts())), message -> new ProxyError(50301, message, null));
        } catch (BadPayloadException e) {
            return answer(Status.BAD_REQUEST, new ProxyError(40001, e.getMessage(), e.field()));
        } catch (AlertBridge.RunsNotYetKnown e) {
            return answer(Status.SERVICE_UNAVAILABLE, new ProxyError(50301, e.getMessage(), null));
        } catch (RuntimeException e) {
            LOG.errorf(e, "receiver %s failed", KAFKA_REST);
            return answer(Status.INTERNAL_SERVER_ERROR, new ProxyError(50001, "internal error", null));
        }
    }

    private Uni<Response> webhook(String receiver, byte[] body, HttpHeaders headers) {
        Optional<Response> refused = refuse(receiver, body, headers, (status, message) -> new Problem(message, null));
        if (refused.isPresent()) {
            return Uni.createFrom().item(refused.get());
        }
        try {
            AlertBridge.Decision decision = bridge.decide(receiver, AlertPayloads.webhook(orEmpty(body)));
            return publish(decision, () -> new Receipt(receiver, decision.firing(), decision.resolved(),
                    decision.duplicates(), runIds(decision.aborts()), decision.unmapped()),
                    message -> new Problem(message, null));
        } catch (BadPayloadException e) {
            return answer(Status.BAD_REQUEST, new Problem(e.getMessage(), e.field()));
        } catch (AlertBridge.RunsNotYetKnown e) {
            return answer(Status.SERVICE_UNAVAILABLE, new Problem(e.getMessage(), null));
        } catch (RuntimeException e) {
            LOG.errorf(e, "receiver %s failed", receiver);
            return answer(Status.INTERNAL_SERVER_ERROR, new Problem("internal error", null));
        }
    }

    /** 404 for a receiver that is not configured, 401 for a request that is not authentic; else empty. */
    private Optional<Response> refuse(String receiver, byte[] body, HttpHeaders headers,
            java.util.function.BiFunction<Status, String, Object> error) {
        RequestAuthenticator auth = receivers.get(receiver);
        if (auth == null) {
            return Optional.of(Response.status(Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                    .entity(error.apply(Status.NOT_FOUND, "receiver " + receiver
                            + " is not enabled: configure tumult.guardian.alerts.receivers." + receiver + ".auth"))
                    .build());
        }
        Optional<String> refusal = auth.refusal(headers::getHeaderString, orEmpty(body), clock.instant());
        if (refusal.isPresent()) {
            LOG.warnf("receiver %s refused a request: %s", receiver, refusal.get());
            return Optional.of(Response.status(Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                    .header("WWW-Authenticate", "Bearer realm=\"tumult-guardian\"")
                    .entity(error.apply(Status.UNAUTHORIZED, "unauthorized: " + refusal.get())).build());
        }
        return Optional.empty();
    }

    private Uni<Response> publish(AlertBridge.Decision decision, java.util.function.Supplier<Object> ok,
            Function<String, Object> unavailable) {
        // a send waits for the abort topic's metadata (up to max.block.ms while the broker is away): not on the
        // event loop
        return Uni.createFrom().completionStage(() -> publisher.publish(decision.aborts()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(done -> Response.ok(ok.get(), MediaType.APPLICATION_JSON).build())
                .ifNoItem().after(PUBLISH_WAIT).recoverWithItem(() -> Response.status(Status.SERVICE_UNAVAILABLE)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(unavailable.apply("the aborts are not yet acknowledged by Kafka; they are being retried"))
                        .build());
    }

    private static Uni<Response> answer(Status status, Object entity) {
        return Uni.createFrom().item(Response.status(status).type(MediaType.APPLICATION_JSON).entity(entity).build());
    }

    private static List<String> runIds(List<RunAborted> aborts) {
        var ids = new ArrayList<String>();
        aborts.forEach(a -> ids.add(a.runId()));
        return ids;
    }

    private static byte[] orEmpty(byte[] body) {
        return body == null ? new byte[0] : body;
    }
}
