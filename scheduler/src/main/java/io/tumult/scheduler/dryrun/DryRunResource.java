package io.tumult.scheduler.dryrun;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.api.ApiError;
import io.tumult.scheduler.api.Roles;
import io.tumult.scheduler.experiment.ExperimentService;

/**
 * {@code POST /experiments/{name}/dry-run}: the targets a run of the experiment would hit now, resolved by an executor
 * (200 with the {@code DryRunResult}, {@code refused} saying whether a run would be refused and why); nothing is
 * touched and no run is recorded. 404 for an unknown experiment, 504 naming the request when no executor answers.
 * Operators and admins: it sets executors to work.
 */
@Path("/experiments/{name}/dry-run")
@RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
public class DryRunResource {

    private final ExperimentService experiments;
    private final DryRunClient client;

    DryRunResource(ExperimentService experiments, DryRunClient client) {
        this.experiments = experiments;
        this.client = client;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> dryRun(@PathParam("name") String name) {
        return experiments.get(name).chain(entity -> client.ask(entity.experiment()))
                .map(result -> Response.ok(result).build())
                .onFailure(DryRunClient.DryRunTimeoutException.class)
                .recoverWithItem(e -> Response.status(Response.Status.GATEWAY_TIMEOUT)
                        .entity(ApiError.of(e.getMessage())).build());
    }
}
