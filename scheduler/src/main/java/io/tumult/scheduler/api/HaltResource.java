package io.tumult.scheduler.api;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.control.HaltEventEntity;
import io.tumult.scheduler.control.RunControl;

/**
 * Halt-all: every run is aborted and no new run starts (cron, run now, hooks) until an admin releases it. Kept in
 * PostgreSQL and on the abort topic (key {@code *}), where executors hold it across restarts.
 */
@Path("/halt")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN })
public class HaltResource {

    /**
     * Whether a halt holds.
     *
     * @param halted true while a halt-all holds
     * @param since when it was issued
     * @param by who issued it
     * @param reason why
     */
    public record HaltView(boolean halted, Instant since, String by, String reason) {

        static HaltView of(HaltEventEntity halt) {
            return halt == null ? new HaltView(false, null, null, null)
                    : new HaltView(true, halt.at, halt.byWhom, halt.reason);
        }
    }

    private final RunControl control;
    private final Caller caller;

    HaltResource(RunControl control, Caller caller) {
        this.control = control;
        this.caller = caller;
    }

    @GET
    public Uni<HaltView> get() {
        return control.haltInForce().map(HaltView::of);
    }

    /** Halts every run now and refuses new ones until released. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @RequestBody(required = false, description = "Optional: {\"reason\": \"why, in a sentence\"}")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @APIResponse(responseCode = "200", description = "Halted: recorded and published keyed *")
    public Uni<HaltView> halt(String body) {
        return control.halt(caller.name(), Why.reasonIn(body)).map(HaltView::of);
    }

    /** Ends the halt; runs issued before it stay refused. 409 when no halt holds. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @RequestBody(required = false, description = "Optional: {\"reason\": \"why, in a sentence\"}")
    @Path("release")
    @RolesAllowed(Roles.ADMIN)
    @APIResponse(responseCode = "200", description = "Released: recorded and published (io.tumult.halt.released.v1)")
    @APIResponse(responseCode = "409", description = "No halt is in force")
    public Uni<HaltView> release(String body) {
        return control.release(caller.name(), Why.reasonIn(body)).map(released -> HaltView.of(null));
    }
}
