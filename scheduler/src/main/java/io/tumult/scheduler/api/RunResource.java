package io.tumult.scheduler.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.control.RunControl;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.scheduler.run.RunHistory.RunQuery;
import io.tumult.scheduler.run.RunStatusValue;
import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Trigger;

/** Runs: query them, read one with its history, abort one. */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN })
public class RunResource {

    static final int MAX_PAGE_SIZE = 500;

    private final RunHistory history;
    private final RunControl control;
    private final Caller caller;

    RunResource(RunHistory history, RunControl control, Caller caller) {
        this.history = history;
        this.control = control;
        this.caller = caller;
    }

    /** Runs matching every filter given, newest fire time first; 400 names each bad parameter. */
    @GET
    public Uni<RunPage> query(@QueryParam("experiment") String experiment,
            @Parameter(description = "SCHEDULED, RUNNING, PASSED, ABORTED, REFUSED or FAILED") @QueryParam("status") String status,
            @Parameter(description = "cron, manual or webhook") @QueryParam("trigger") String trigger,
            @Parameter(description = "fire time at or after, ISO-8601 instant") @QueryParam("from") String from,
            @Parameter(description = "fire time before, ISO-8601 instant") @QueryParam("to") String to,
            @QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("50") String size) {
        var bad = new ArrayList<Violation>();
        var query = new RunQuery(blankToNull(experiment),
                parse(bad, "status", status, v -> RunStatusValue.valueOf(v.toUpperCase(Locale.ROOT)),
                        "one of " + Arrays.toString(RunStatusValue.values())),
                parse(bad, "trigger", trigger, v -> Trigger.valueOf(v.toUpperCase(Locale.ROOT)), "cron, manual or webhook"),
                parse(bad, "from", from, Instant::parse, "an ISO-8601 instant like 2026-12-02T06:00:00Z"),
                parse(bad, "to", to, Instant::parse, "an ISO-8601 instant like 2026-12-02T06:00:00Z"),
                number(bad, "page", page, 0, Integer.MAX_VALUE),
                number(bad, "size", size, 1, MAX_PAGE_SIZE));
        if (!bad.isEmpty()) {
            throw new InvalidInputException("invalid query", bad);
        }
        return history.query(query).map(result -> new RunPage(
                result.runs().stream().map(run -> RunViews.of(run, null)).toList(), query.page(), query.size(),
                result.total()));
    }

    @GET
    @Path("{runId}")
    public Uni<RunView> get(@PathParam("runId") String runId) {
        UUID id = runId(runId);
        return history.find(id).onItem().ifNull().failWith(() -> new NotFoundException("no run " + runId))
                .map(found -> RunViews.of(found.run(), found.steps()));
    }

    /** Asks every executor to abort the run now; records who asked. 202; 404 unknown; 409 when it has ended. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @RequestBody(required = false, description = "Optional: {\"reason\": \"why, in a sentence\"}")
    @Path("{runId}/abort")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @APIResponse(responseCode = "202", description = "The abort is published")
    @APIResponse(responseCode = "409", description = "The run has ended")
    public Uni<Response> abort(@PathParam("runId") String runId, String body) {
        UUID id = runId(runId);
        return control.abort(id, caller.name(), Why.reasonIn(body))
                .map(run -> Response.accepted(RunViews.of(run, null)).build());
    }

    private static UUID runId(String runId) {
        try {
            return UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("no run " + runId + ": a run id is a UUID");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <T> T parse(List<Violation> bad, String name, String value, java.util.function.Function<String, T> parser,
            String expected) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parser.apply(value.trim());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            bad.add(new Violation("query." + name, "'" + value + "' is not " + expected));
            return null;
        }
    }

    static int number(List<Violation> bad, String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        bad.add(new Violation("query." + name, "'" + value + "' is not a whole number from " + min + " to " + max));
        return min;
    }
}
