package io.tumult.schemas.v1;

import java.util.Map;
import java.util.Objects;

/**
 * Pods chosen by label selector in one Kubernetes namespace.
 *
 * @param namespace Kubernetes namespace of the pods
 * @param selector label selector; every label must match
 * @param mode how many of the matching pods to pick
 * @param value count for {@link SelectionMode#FIXED}, percentage for {@link SelectionMode#PERCENT}; else ignored
 */
public record PodTarget(String namespace, Map<String, String> selector, SelectionMode mode, Integer value)
        implements
            Target {

    public static final String KIND = "pod";

    public PodTarget {
        Objects.requireNonNull(namespace, "namespace");
        selector = selector == null ? Map.of() : Map.copyOf(selector);
        mode = mode == null ? SelectionMode.ONE : mode;
    }

    @Override
    public String kind() {
        return KIND;
    }
}
