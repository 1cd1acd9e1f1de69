package io.tumult.executor.kubernetes;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /blast-radius}: the cluster-wide policy every run meets, as this executor applies it. */
@Path("/blast-radius")
public class BlastRadiusResource {

    private final BlastRadiusPolicy policy;
    private final KubernetesConfig config;

    BlastRadiusResource(BlastRadiusPolicy policy, KubernetesConfig config) {
        this.policy = policy;
        this.config = config;
    }

    /** The policy and this executor's role. */
    public record View(KubernetesConfig.Role role, BlastRadiusPolicy policy) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public View get() {
        return new View(config.role(), policy);
    }
}
