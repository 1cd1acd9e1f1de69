package io.tumult.scheduler.api;

import java.util.List;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.tumult.scheduler.control.ControlException;
import io.tumult.scheduler.experiment.ExperimentExistsException;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.scheduler.hooks.HookException;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.Violation;

/** Every error is an {@link ApiError}: a sentence a person can act on, and the fields at fault; never a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidDocumentException e) {
        return json(Response.Status.BAD_REQUEST, new ApiError("invalid experiment", e.violations()));
    }

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        return json(Response.Status.BAD_REQUEST, new ApiError(e.getMessage(), e.violations()));
    }

    @ServerExceptionMapper
    public Response notFound(ExperimentNotFoundException e) {
        return json(Response.Status.NOT_FOUND, ApiError.of(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response exists(ExperimentExistsException e) {
        return json(Response.Status.CONFLICT, new ApiError(e.getMessage(),
                List.of(new Violation("$.metadata.name", "an experiment of this name exists already"))));
    }

    @ServerExceptionMapper
    public Response control(ControlException e) {
        return json(switch (e.reason()) {
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case CONFLICT -> Response.Status.CONFLICT;
        }, ApiError.of(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response hook(HookException e) {
        return json(switch (e.reason()) {
            case UNAUTHENTICATED -> Response.Status.UNAUTHORIZED;
            case CONFLICT -> Response.Status.CONFLICT;
            case DISABLED -> Response.Status.NOT_FOUND;
        }, ApiError.of(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 415 -> "send the experiment as application/yaml or application/json";
            default -> e.getMessage();
        };
        return json(Response.Status.fromStatusCode(status), ApiError.of(message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return json(Response.Status.INTERNAL_SERVER_ERROR, ApiError.of("internal error; see the scheduler's log"));
    }

    private static Response json(Response.Status status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
