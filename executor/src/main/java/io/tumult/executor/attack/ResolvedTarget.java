package io.tumult.executor.attack;

/**
 * One concrete thing an attack acts on.
 *
 * @param kind the target kind, as in the experiment's {@code target.kind}
 * @param name what identifies it within its kind
 * @param node the Kubernetes node it lives on, for targets a node agent acts on (a pod's network, its containers);
 *        null for everything else
 */
public record ResolvedTarget(String kind, String name, String node) {

    /** A target that lives on no particular node (or on this executor's host). */
    public ResolvedTarget(String kind, String name) {
        this(kind, name, null);
    }

    /** {@code kind/name}, as reported in run statuses. */
    public String describe() {
        return kind + "/" + name;
    }
}
