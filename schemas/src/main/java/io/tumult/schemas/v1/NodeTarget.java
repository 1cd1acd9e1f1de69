package io.tumult.schemas.v1;

import java.util.stream.Stream;

/**
 * Kubernetes nodes, by name or by label selector (exactly one).
 *
 * @param name the node's name, or null
 * @param labelSelector a label selector in {@code kubectl -l} form, or null
 * @param mode how many of the matching nodes to pick
 * @param value count or percentage, as for pods
 */
public record NodeTarget(String name, String labelSelector, SelectionMode mode, Integer value) implements Target {

    public static final String KIND = "node";

    public NodeTarget {
        if (Stream.of(name, labelSelector).filter(v -> v != null).count() != 1) {
            throw new IllegalArgumentException("a node target names exactly one of name or labelSelector");
        }
        if (labelSelector != null) {
            Selectors.parseLabels(labelSelector);
        }
        mode = mode == null ? SelectionMode.ONE : mode;
        mode.checkValue(value);
    }

    @Override
    public String kind() {
        return KIND;
    }
}
