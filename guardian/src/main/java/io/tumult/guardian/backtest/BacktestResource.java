package io.tumult.guardian.backtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.tumult.guardian.prometheus.PrometheusClient;
import io.tumult.guardian.prometheus.PrometheusConfig;
import io.tumult.guardian.prometheus.PrometheusConnection;
import io.tumult.guardian.prometheus.PrometheusException;
import io.tumult.guardian.prometheus.QueryResult;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.MetricSample;

/**
 * {@code POST /backtest}: replays a recorded span of {@code tumult.metrics} through the guardian's evaluator against
 * an experiment's autoAbort and steady-state rules, and answers when each would have tripped and on which value. Rules
 * on a PromQL query are replayed on Prometheus' answers over the span (a range query, one point per poll interval, or
 * coarser for long spans). A Prometheus that cannot answer is a 502 naming it; none configured, a 400.
 */
@Path("/backtest")
public class BacktestResource {

    /**
     * What to replay.
     *
     * @param autoAbort the experiment's autoAbort rules
     * @param steadyState its steady-state rules
     * @param from start of the span (sample time)
     * @param to end of the span (sample time)
     * @param runId only this run's samples (and global ones); null: every sample of the rules' metrics
     */
    public record Request(List<Condition> autoAbort, List<Condition> steadyState, Instant from, Instant to,
            UUID runId) {
    }

    /**
     * The answer.
     *
     * @param samples how many recorded samples were replayed
     * @param rules each rule's trips
     */
    public record Result(int samples, List<Backtest.RuleVerdict> rules) {
    }

    /** A refused request, naming the field. */
    public record Problem(String field, String message) {
    }

    /** Prometheus refuses range queries of more than 11,000 points per series. */
    private static final int MAX_POINTS = 10_000;

    private final RecordedSamples recorded;
    private final PrometheusConnection prometheus;
    private final Duration pollInterval;

    BacktestResource(RecordedSamples recorded, PrometheusConnection prometheus, PrometheusConfig config) {
        this.recorded = recorded;
        this.prometheus = prometheus;
        this.pollInterval = config.pollInterval();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response backtest(Request request) {
        if (request == null) {
            return bad("$", "a body is required");
        }
        List<Condition> autoAbort = request.autoAbort() == null ? List.of() : request.autoAbort();
        List<Condition> steadyState = request.steadyState() == null ? List.of() : request.steadyState();
        if (autoAbort.isEmpty() && steadyState.isEmpty()) {
            return bad("$.autoAbort", "no rule to replay: give autoAbort or steadyState conditions");
        }
        if (request.from() == null) {
            return bad("$.from", "required");
        }
        if (request.to() == null) {
            return bad("$.to", "required");
        }
        if (!request.to().isAfter(request.from())) {
            return bad("$.to", "must be after from");
        }
        var metrics = new HashSet<String>();
        var queries = new LinkedHashMap<String, String>(); // query -> the field naming it first
        collect(autoAbort, "$.autoAbort", metrics, queries);
        collect(steadyState, "$.steadyState", metrics, queries);
        var ranges = new HashMap<String, List<Backtest.QueryPoint>>();
        for (var q : queries.entrySet()) {
            if (prometheus.client().isEmpty()) {
                return bad(q.getValue(), PrometheusConnection.NOT_CONFIGURED);
            }
            try {
                ranges.put(q.getKey(), range(prometheus.client().get(), q.getKey(), request.from(), request.to()));
            } catch (PrometheusException e) {
                return Response.status(Response.Status.BAD_GATEWAY).entity(new Problem(q.getValue(), e.getMessage()))
                        .build();
            }
        }
        try {
            List<MetricSample> samples = metrics.isEmpty() ? List.of()
                    : recorded.read(metrics, request.from(), request.to(), request.runId());
            return Response.ok(new Result(samples.size(), new Backtest(autoAbort, steadyState).replay(samples, ranges)))
                    .build();
        } catch (IllegalStateException e) {
            return bad("$.to", e.getMessage());
        }
    }

    private static void collect(List<Condition> conditions, String field, Set<String> metrics,
            Map<String, String> queries) {
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            if (c.query() == null) {
                metrics.add(c.metric());
            } else {
                queries.putIfAbsent(c.query(), field + "[" + i + "].query");
            }
        }
    }

    /** The query's answers over the span: per evaluation time, the finite values of its series. */
    private List<Backtest.QueryPoint> range(PrometheusClient client, String query, Instant from, Instant to) {
        Duration step = Duration.between(from, to).dividedBy(MAX_POINTS);
        if (step.compareTo(pollInterval) < 0) {
            step = pollInterval;
        }
        var byTime = new TreeMap<Instant, List<Double>>();
        QueryResult.Data data = client.queryRange(query, from, to, step).data();
        if (data instanceof QueryResult.Matrix m) {
            for (QueryResult.RangeSeries series : m.series()) {
                for (QueryResult.Sample sample : series.samples()) {
                    if (Double.isFinite(sample.value())) {
                        byTime.computeIfAbsent(sample.at(), t -> new ArrayList<>()).add(sample.value());
                    }
                }
            }
        }
        var points = new ArrayList<Backtest.QueryPoint>();
        byTime.forEach((at, values) -> points.add(new Backtest.QueryPoint(at,
                values.stream().mapToDouble(Double::doubleValue).toArray())));
        return points;
    }

    private static Response bad(String field, String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new Problem(field, message)).build();
    }
}
