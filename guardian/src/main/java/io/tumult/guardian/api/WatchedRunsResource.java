package io.tumult.guardian.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.tumult.guardian.messaging.GuardianLoop;
import io.tumult.guardian.rules.RuleBook;
import io.tumult.guardian.rules.WatchedRunView;

/** The runs this replica watches, their conditions and current values. */
@Path("/runs")
public class WatchedRunsResource {

    private final GuardianLoop loop;

    WatchedRunsResource(GuardianLoop loop) {
        this.loop = loop;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<List<WatchedRunView>> watched() {
        return loop.inspect(RuleBook::describe);
    }
}
