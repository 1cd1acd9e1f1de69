package io.tumult.guardian.backtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.tumult.schemas.v1.Condition;

/**
 * {@code POST /backtest}: replays a recorded span of {@code tumult.metrics} through the guardian's evaluator against
 * an experiment's autoAbort and steady-state rules, and answers when each would have tripped and on which value.
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

    private final RecordedSamples recorded;

    BacktestResource(RecordedSamples recorded) {
        this.recorded = recorded;
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
        var all = new ArrayList<>(autoAbort);
        all.addAll(steadyState);
        all.forEach(c -> metrics.add(c.metric()));
        try {
            var samples = recorded.read(metrics, request.from(), request.to(), request.runId());
            return Response.ok(new Result(samples.size(), new Backtest(autoAbort, steadyState).replay(samples))).build();
        } catch (IllegalStateException e) {
            return bad("$.to", e.getMessage());
        }
    }

    private static Response bad(String field, String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new Problem(field, message)).build();
    }
}
