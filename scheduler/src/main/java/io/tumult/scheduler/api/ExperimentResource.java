package io.tumult.scheduler.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.experiment.ExperimentService;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Trigger;

/** Experiments: submit (YAML or JSON), read, replace, delete, run now, and their runs. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN })
public class ExperimentResource {

    static final String YAML = "application/yaml";

    private final ExperimentService experiments;
    private final RunLauncher launcher;
    private final RunHistory history;

    ExperimentResource(ExperimentService experiments, RunLauncher launcher, RunHistory history) {
        this.experiments = experiments;
        this.launcher = launcher;
        this.history = history;
    }

    @POST
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @Consumes({ MediaType.APPLICATION_JSON, YAML, "application/x-yaml", "text/yaml" })
    public Uni<Response> create(String body) {
        Experiment experiment = experiments.parse(body);
        return experiments.create(experiment).map(stored -> Response
                .created(URI.create("/experiments/" + stored.name)).entity(document(stored)).build());
    }

    @PUT
    @Path("{name}")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @Consumes({ MediaType.APPLICATION_JSON, YAML, "application/x-yaml", "text/yaml" })
    public Uni<JsonNode> replace(@PathParam("name") String name, String body) {
        Experiment experiment = experiments.parse(body);
        if (!experiment.name().equals(name)) {
            throw new InvalidDocumentException("Experiment", List.of(new Violation("$.metadata.name",
                    "'" + experiment.name() + "' differs from the name in the path, '" + name + "'")));
        }
        return experiments.replace(experiment).map(ExperimentResource::document);
    }

    @GET
    public Uni<List<JsonNode>> list() {
        return experiments.list().map(all -> all.stream().map(ExperimentResource::document).toList());
    }

    @GET
    @Path("{name}")
    public Uni<JsonNode> get(@PathParam("name") String name) {
        return experiments.get(name).map(ExperimentResource::document);
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    public Uni<Response> delete(@PathParam("name") String name) {
        return experiments.delete(name).replaceWith(Response.noContent().build());
    }

    /** Starts a run now; 202 with its id, or 409 when the experiment's concurrency forbids it. */
    @POST
    @Path("{name}/runs")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    public Uni<Response> runNow(@PathParam("name") String name) {
        return launcher.fire(name, Instant.now(), Trigger.MANUAL).map(result -> result.runId() != null
                ? Response.accepted(Map.of("runId", result.runId().toString())).build()
                : Response.status(Response.Status.CONFLICT).entity(Map.of("error", result.skipped())).build());
    }

    @GET
    @Path("{name}/runs")
    public Uni<List<Map<String, Object>>> runs(@PathParam("name") String name) {
        return experiments.get(name).chain(found -> history.ofExperiment(name));
    }

    private static JsonNode document(ExperimentEntity entity) {
        return TumultJson.toTree(entity.experiment());
    }
}
