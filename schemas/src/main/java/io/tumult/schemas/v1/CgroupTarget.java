package io.tumult.schemas.v1;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A control group on the executor's host, named by its path from the root of the cgroup hierarchy (the same path in
 * every cgroup v1 controller, or in the cgroup v2 tree), for example {@code /kubepods/burstable/pod1234} or
 * {@code /tumult-victim}. Resource attacks start their stressors in a child cgroup of it, created for the run, so the
 * stressors compete for CPU, memory and IO within the target's own limits. A pod target resolves to its pod's cgroup
 * and reuses the same attacks.
 *
 * @param path the cgroup's path from the hierarchy root, starting with {@code /}; {@code /} is the whole host
 */
public record CgroupTarget(String path) implements Target {

    public static final String KIND = "cgroup";

    /** Absolute, no {@code .} or {@code ..} components, no empty components; the JSON Schema uses it as well. */
    public static final Pattern PATH = Pattern
            .compile("^/([A-Za-z0-9_:@-][A-Za-z0-9_.:@-]*(/[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]*)*)?$");

    public CgroupTarget {
        Objects.requireNonNull(path, "path");
        if (!PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("not a cgroup path: '" + path + "' (expected /a/b, no . or ..)");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
