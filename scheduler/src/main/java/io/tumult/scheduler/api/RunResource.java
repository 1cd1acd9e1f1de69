package io.tumult.scheduler.api;

import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.run.RunHistory;

/** A run with its recorded history. */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN })
public class RunResource {

    private final RunHistory history;

    RunResource(RunHistory history) {
        this.history = history;
    }

    @GET
    @Path("{runId}")
    public Uni<Map<String, Object>> get(@PathParam("runId") String runId) {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("no run " + runId + ": a run id is a UUID");
        }
        return history.find(id).onItem().ifNull().failWith(() -> new NotFoundException("no run " + runId));
    }
}
