package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * A named Linux network namespace on the executor's host (as listed by {@code ip netns list}), for example a
 * test host or a sandboxed workload. The root namespace is never a valid target.
 *
 * @param name the namespace's name under {@code /run/netns}
 */
public record NetworkNamespaceTarget(String name) implements Target {

    public static final String KIND = "network-namespace";

    public NetworkNamespaceTarget {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String kind() {
        return KIND;
    }
}
