package io.tumult.schemas.v1;

import java.util.List;
import java.util.Map;

/**
 * Pods chosen by namespace, labels, fields and annotations; every given criterion must hold. The executor applies the
 * blast-radius policy (protected and allowed namespaces, opt-in, caps) to what this selects, before any action.
 *
 * @param namespace Kubernetes namespace of the pods; null when {@code namespaces} names them
 * @param selector equality label selector; every label must match
 * @param mode how many of the matching pods to pick
 * @param value count for {@link SelectionMode#FIXED}, percentage for {@link SelectionMode#PERCENT} and
 *        {@link SelectionMode#RANDOM_MAX_PERCENT}; else ignored
 * @param namespaces several namespaces to select in, besides {@code namespace}; empty when absent
 * @param labelSelector a label selector in {@code kubectl -l} form, set-based included ({@code tier in (web,api),
 *        !canary}); null when absent
 * @param fieldSelector a field selector on {@code status.phase}, {@code spec.nodeName}, {@code metadata.name} or
 *        {@code metadata.namespace} ({@code status.phase=Running}); null when absent
 * @param annotations annotations every chosen pod must carry with these values; empty when absent
 */
public record PodTarget(String namespace, Map<String, String> selector, SelectionMode mode, Integer value,
        List<String> namespaces, String labelSelector, String fieldSelector, Map<String, String> annotations)
        implements
            Target {

    public static final String KIND = "pod";

    public PodTarget {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        if (namespace == null && namespaces.isEmpty()) {
            throw new IllegalArgumentException("a pod target names its namespace or namespaces");
        }
        selector = selector == null ? Map.of() : Map.copyOf(selector);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        mode = mode == null ? SelectionMode.ONE : mode;
        if (labelSelector != null) {
            Selectors.parseLabels(labelSelector); // a selector that does not parse is refused at submission
        }
        if (fieldSelector != null) {
            Selectors.parseFields(fieldSelector);
        }
        mode.checkValue(value);
    }

    /** Pods by equality selector in one namespace. */
    public PodTarget(String namespace, Map<String, String> selector, SelectionMode mode, Integer value) {
        this(namespace, selector, mode, value, null, null, null, null);
    }

    /** Every namespace this target selects in, {@code namespace} first. */
    public List<String> allNamespaces() {
        var all = new java.util.ArrayList<String>();
        if (namespace != null) {
            all.add(namespace);
        }
        namespaces.stream().filter(n -> !all.contains(n)).forEach(all::add);
        return List.copyOf(all);
    }

    /** The label requirements of {@code selector} and {@code labelSelector} together. */
    public List<Selectors.Requirement> labelRequirements() {
        var all = new java.util.ArrayList<Selectors.Requirement>();
        selector.forEach((k, v) -> all.add(new Selectors.Requirement(k, Selectors.Operator.IN, List.of(v))));
        if (labelSelector != null) {
            all.addAll(Selectors.parseLabels(labelSelector));
        }
        return List.copyOf(all);
    }

    /** The field requirements of {@code fieldSelector}. */
    public List<Selectors.FieldRequirement> fieldRequirements() {
        return fieldSelector == null ? List.of() : Selectors.parseFields(fieldSelector);
    }

    @Override
    public String kind() {
        return KIND;
    }
}
