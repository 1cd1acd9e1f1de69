package io.tumult.guardian.api;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.tumult.guardian.rules.RuleBook;

/** The runs being watched, their conditions and current values. */
@Path("/runs")
public class WatchedRunsResource {

    private final RuleBook rules;

    WatchedRunsResource(RuleBook rules) {
        this.rules = rules;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> watched() {
        return rules.describe();
    }
}
