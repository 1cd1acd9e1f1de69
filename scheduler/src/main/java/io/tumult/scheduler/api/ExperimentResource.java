package io.tumult.scheduler.api;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.scheduler.experiment.ExperimentService;
import io.tumult.scheduler.experiment.ExperimentVersionEntity;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.scheduler.run.SkippedFires;
import io.tumult.scheduler.run.SkippedFires.SkippedFire;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Trigger;

/** Experiments: submit (YAML or JSON), read, replace, delete, their versions, run now, and their runs. */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN })
public class ExperimentResource {

    static final String YAML = "application/yaml";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_SKIPPED = 1000;

    private final ExperimentService experiments;
    private final RunLauncher launcher;
    private final RunHistory history;
    private final SkippedFires skipped;
    private final Caller caller;

    ExperimentResource(ExperimentService experiments, RunLauncher launcher, RunHistory history, SkippedFires skipped,
            Caller caller) {
        this.experiments = experiments;
        this.launcher = launcher;
        this.history = history;
        this.skipped = skipped;
        this.caller = caller;
    }

    @POST
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @Consumes({ MediaType.APPLICATION_JSON, YAML, "application/x-yaml", "text/yaml" })
    @RequestBody(description = "An experiment document, YAML or JSON (experiment.schema.json)")
    @APIResponse(responseCode = "201", description = "Stored")
    @APIResponse(responseCode = "400", description = "Invalid: each offending field by its path")
    @APIResponse(responseCode = "409", description = "The name is taken")
    public Uni<Response> create(String body) {
        Experiment experiment = experiments.parse(body);
        return experiments.create(experiment, caller.name()).map(stored -> Response
                .created(URI.create("/experiments/" + stored.name)).entity(stored.experiment()).build());
    }

    @PUT
    @Path("{name}")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @Consumes({ MediaType.APPLICATION_JSON, YAML, "application/x-yaml", "text/yaml" })
    public Uni<Experiment> replace(@PathParam("name") String name, String body) {
        Experiment experiment = experiments.parse(body);
        if (!experiment.name().equals(name)) {
            throw new InvalidDocumentException("Experiment", List.of(new Violation("$.metadata.name",
                    "'" + experiment.name() + "' differs from the name in the path, '" + name + "'")));
        }
        return experiments.replace(experiment, caller.name()).map(ExperimentEntity::experiment);
    }

    @GET
    public Uni<List<Experiment>> list() {
        return experiments.list().map(all -> all.stream().map(ExperimentEntity::experiment).toList());
    }

    @GET
    @Path("{name}")
    public Uni<Experiment> get(@PathParam("name") String name) {
        return experiments.get(name).map(ExperimentEntity::experiment);
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    public Uni<Response> delete(@PathParam("name") String name) {
        return experiments.delete(name, caller.name()).replaceWith(Response.noContent().build());
    }

    /** Who changed the experiment, when, and which fields: every version, oldest first (also once deleted). */
    @GET
    @Path("{name}/versions")
    public Uni<List<ExperimentVersionView>> versions(@PathParam("name") String name) {
        return experiments.versions(name).map(versions -> {
            if (versions.isEmpty()) {
                throw new ExperimentNotFoundException(name);
            }
            return versions.stream().map(v -> view(v, false)).toList();
        });
    }

    /** One version with its document. */
    @GET
    @Path("{name}/versions/{version}")
    public Uni<ExperimentVersionView> version(@PathParam("name") String name, @PathParam("version") int version) {
        return experiments.versions(name).map(versions -> versions.stream().filter(v -> v.version == version)
                .findFirst().map(v -> view(v, true))
                .orElseThrow(() -> new jakarta.ws.rs.NotFoundException("no version " + version + " of " + name)));
    }

    /** Starts a run now; 202 with its id, or 409 when its concurrency or a halt-all forbids it. */
    @POST
    @Path("{name}/runs")
    @RolesAllowed({ Roles.OPERATOR, Roles.ADMIN })
    @APIResponse(responseCode = "202", description = "Started")
    @APIResponse(responseCode = "409", description = "Not started: a run is active under Forbid, or a halt-all holds")
    public Uni<Response> runNow(@PathParam("name") String name) {
        return launcher.fire(name, Instant.now(), Trigger.MANUAL, java.util.UUID.randomUUID(), caller.name())
                .map(result -> result.runId() != null
                        ? Response.accepted(RunAccepted.of(result.runId())).build()
                        : Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON)
                                .entity(ApiError.of(result.skipped())).build());
    }

    @GET
    @Path("{name}/runs")
    public Uni<List<RunView>> runs(@PathParam("name") String name) {
        return experiments.get(name).chain(found -> history.ofExperiment(name))
                .map(runs -> runs.stream().map(run -> RunViews.of(run, null)).toList());
    }

    /**
     * The cron fire times that started no run, newest first: missed beyond the starting deadline, forbidden by a run
     * still active, suspended, or in a blackout window. 400 names a bad {@code limit}; 404 for an unknown experiment.
     */
    @GET
    @Path("{name}/skipped-fires")
    @APIResponse(responseCode = "400", description = "query.limit is not a whole number from 1 to " + MAX_SKIPPED)
    public Uni<List<SkippedFire>> skippedFires(@PathParam("name") String name,
            @Parameter(description = "at most this many, from 1 to "
                    + MAX_SKIPPED) @QueryParam("limit") @DefaultValue("100") String limit) {
        var bad = new ArrayList<Violation>();
        int n = RunResource.number(bad, "limit", limit, 1, MAX_SKIPPED);
        if (!bad.isEmpty()) {
            throw new InvalidInputException("invalid query", bad);
        }
        return experiments.get(name).chain(found -> skipped.newest(name, n));
    }

    private static ExperimentVersionView view(ExperimentVersionEntity v, boolean withDocument) {
        List<String> paths;
        try {
            paths = JSON.readValue(v.changedPaths, new TypeReference<List<String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored changed paths are not a JSON array", e);
        }
        Experiment document = null;
        if (withDocument && v.document != null) {
            var entity = new ExperimentEntity();
            entity.name = v.experiment;
            entity.document = v.document;
            document = entity.experiment();
        }
        return new ExperimentVersionView(v.version, v.change.name(), v.changedBy, v.changedAt, paths, document);
    }
}
