package io.tumult.guardian.api;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.tumult.guardian.messaging.GuardianLoop;
import io.tumult.guardian.rules.RuleBook;
import io.tumult.guardian.rules.WatchedRunView;

/**
 * The runs this replica watches, their conditions and current values. Both answers are computed on the evaluating
 * loop, between polls: one run costs little, the whole list a value per condition of every watched run.
 */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class WatchedRunsResource {

    private final GuardianLoop loop;

    WatchedRunsResource(GuardianLoop loop) {
        this.loop = loop;
    }

    @GET
    public CompletionStage<List<WatchedRunView>> watched() {
        return loop.inspect(RuleBook::describe);
    }

    /** One run: 404 when this replica does not watch it (another replica may), 400 when the id is not a UUID. */
    @GET
    @Path("/{runId}")
    public CompletionStage<Response> watched(@PathParam("runId") String runId) {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Response.status(Response.Status.BAD_REQUEST)
                    .entity(new Problem("not a run id (a UUID): " + runId, "runId")).build());
        }
        return loop.inspect(book -> book.describe(id)).thenApply(view -> view
                .map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(new Problem("this replica does not watch run " + id, "runId")).build()));
    }
}
