package io.tumult.scheduler.hooks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * CD post-deploy hooks, under {@code tumult.scheduler.hooks}. A hook whose secret is not set is off: it answers 404
 * and never starts a run.
 */
@ConfigMapping(prefix = "tumult.scheduler.hooks")
public interface HooksConfig {

    /** Key of the generic hook's HMAC-SHA256 signature over {@code <timestamp>.<body>}; absent: the hook is off. */
    Optional<String> genericSecret();

    /** How far the generic hook's timestamp may be from now, either way; older or newer deliveries are refused. */
    @WithDefault("5m")
    Duration replayWindow();

    /** The GitHub webhook's secret (X-Hub-Signature-256); absent: the hook is off. */
    Optional<String> githubSecret();

    /** GitHub deployment environments whose successful deploys count; absent: every environment. */
    Optional<List<String>> githubEnvironments();

    /** The bearer token Argo CD notifications send; absent: the hook is off. */
    Optional<String> argocdToken();

    /** How often accepted deliveries whose delay has passed are turned into runs. */
    @WithDefault("1s")
    Duration pollInterval();
}
