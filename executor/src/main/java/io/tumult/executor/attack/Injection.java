package io.tumult.executor.attack;

import java.util.Map;

/**
 * A fault in place on one target, with everything its recovery needs. Recovery uses nothing else, so an injection
 * is enough to revert after a restart.
 *
 * @param kind the attack kind
 * @param target the target acted on
 * @param handle what recovery needs, for example the namespace and nftables table
 */
public record Injection(String kind, ResolvedTarget target, Map<String, String> handle) {

    public Injection {
        handle = Map.copyOf(handle);
    }
}
