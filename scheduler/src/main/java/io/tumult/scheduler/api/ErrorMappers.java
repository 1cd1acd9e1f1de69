package io.tumult.scheduler.api;

import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.tumult.scheduler.experiment.ExperimentExistsException;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.schemas.json.InvalidDocumentException;

/** Every error is JSON with a sentence a person can act on; never a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidDocumentException e) {
        return json(Response.Status.BAD_REQUEST, Map.of("error", "invalid experiment", "violations", e.violations()));
    }

    @ServerExceptionMapper
    public Response notFound(ExperimentNotFoundException e) {
        return json(Response.Status.NOT_FOUND, Map.of("error", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response exists(ExperimentExistsException e) {
        return json(Response.Status.CONFLICT, Map.of("error", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 415 -> "send the experiment as application/yaml or application/json";
            default -> e.getMessage();
        };
        return json(Response.Status.fromStatusCode(status), Map.of("error", message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return json(Response.Status.INTERNAL_SERVER_ERROR, Map.of("error", "internal error; see the scheduler's log"));
    }

    private static Response json(Response.Status status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
