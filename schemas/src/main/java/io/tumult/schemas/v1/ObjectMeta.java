package io.tumult.schemas.v1;

import java.util.Map;
import java.util.Objects;

/**
 * Identity of an experiment.
 *
 * @param name unique, DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters)
 * @param labels free-form labels, for example the owning team; never null
 */
public record ObjectMeta(String name, Map<String, String> labels) {

    public ObjectMeta {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
