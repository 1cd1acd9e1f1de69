package io.tumult.executor.attack;

/**
 * One concrete thing an attack acts on.
 *
 * @param kind the target kind, as in the experiment's {@code target.kind}
 * @param name what identifies it within its kind
 */
public record ResolvedTarget(String kind, String name) {

    /** {@code kind/name}, as reported in run statuses. */
    public String describe() {
        return kind + "/" + name;
    }
}
