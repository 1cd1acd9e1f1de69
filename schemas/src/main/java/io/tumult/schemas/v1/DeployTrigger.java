package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A deploy that starts a run of the experiment declaring it: a CD system's post-deploy hook reports a deploy of a
 * service to an environment, with labels; every trigger it matches starts one run, after the trigger's delay.
 *
 * @param service the deployed service: a GitHub repository's name, an Argo CD application's name, or the generic
 *        hook's {@code service}
 * @param environment the environment deployed to (GitHub's deployment environment, the Argo CD application's
 *        destination namespace, the generic hook's {@code environment}); null matches any
 * @param labels labels the deploy must carry, each with this value; never null, empty matches any
 * @param delay how long after the deploy the run starts; null: at once
 */
public record DeployTrigger(String service, String environment, Map<String, String> labels, Duration delay) {

    public DeployTrigger {
        Objects.requireNonNull(service, "service");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
    }

    /** The delay, zero when none is given. */
    public Duration delayOrZero() {
        return delay == null ? Duration.ZERO : delay;
    }

    /** Whether a deploy of {@code service} to {@code environment} carrying {@code deployLabels} matches. */
    public boolean matches(String service, String environment, Map<String, String> deployLabels) {
        return this.service.equals(service)
                && (this.environment == null || this.environment.equals(environment))
                && labels.entrySet().stream().allMatch(l -> l.getValue().equals(deployLabels.get(l.getKey())));
    }
}
