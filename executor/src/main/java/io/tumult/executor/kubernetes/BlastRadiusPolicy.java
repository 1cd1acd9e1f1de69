package io.tumult.executor.kubernetes;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * The cluster-wide blast radius every run meets before any action (DESIGN.md invariant 1): protected namespaces
 * ({@code kube-system} always), the allowed namespaces, the opt-in, and global caps. Read over HTTP at
 * {@code GET /blast-radius}.
 *
 * @param protectedNamespaces never touched ({@code kube-system} included)
 * @param allowedNamespaces when present, the only namespaces touched
 * @param requireOptIn whether targets must opt in by label or annotation, on themselves or their namespace
 * @param optInLabel the opt-in label, {@code key=value}
 * @param optInAnnotation the opt-in annotation, {@code key=value}
 * @param maxTargets most targets of any run
 * @param maxPercentage most targets of any run as a percentage of its candidates
 */
public record BlastRadiusPolicy(Set<String> protectedNamespaces, Optional<Set<String>> allowedNamespaces,
        boolean requireOptIn, String optInLabel, String optInAnnotation, Optional<Integer> maxTargets,
        Optional<Integer> maxPercentage) {

    public BlastRadiusPolicy {
        var all = new TreeSet<>(protectedNamespaces);
        all.addAll(KubernetesConfig.ALWAYS_PROTECTED);
        protectedNamespaces = Set.copyOf(all);
        allowedNamespaces = allowedNamespaces.map(Set::copyOf);
        keyValue(optInLabel);
        keyValue(optInAnnotation);
    }

    /** The policy the configuration sets. */
    public static BlastRadiusPolicy of(KubernetesConfig config) {
        return new BlastRadiusPolicy(config.protectedNamespaces(), config.allowedNamespaces(), config.requireOptIn(),
                config.optInLabel(), config.optInAnnotation(), config.maxTargets(), config.maxPercentage());
    }

    /**
     * Refuses a namespace the policy forbids, naming why.
     *
     * @throws AttackException PERMISSION_DENIED
     */
    public void checkNamespace(String namespace) {
        if (protectedNamespaces.contains(namespace)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "namespace " + namespace
                    + " is protected (tumult.executor.kubernetes.protected-namespaces " + new TreeSet<>(
                            protectedNamespaces)
                    + "); Tumult never touches it");
        }
        if (allowedNamespaces.isPresent() && !allowedNamespaces.get().contains(namespace)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "namespace " + namespace
                    + " is not among the allowed namespaces " + new TreeSet<>(allowedNamespaces.get())
                    + " (tumult.executor.kubernetes.allowed-namespaces)");
        }
    }

    /** Whether a namespace may be touched at all. */
    public boolean namespaceAllowed(String namespace) {
        return !protectedNamespaces.contains(namespace)
                && allowedNamespaces.map(allowed -> allowed.contains(namespace)).orElse(true);
    }

    /** Whether an object with these labels and annotations (or its namespace's) has opted in, or none must. */
    public boolean optedIn(Map<String, String> labels, Map<String, String> annotations) {
        if (!requireOptIn) {
            return true;
        }
        String[] label = keyValue(optInLabel);
        String[] annotation = keyValue(optInAnnotation);
        return labels != null && label[1].equals(labels.get(label[0]))
                || annotations != null && annotation[1].equals(annotations.get(annotation[0]));
    }

    /** Says how a target opts in, for refusals. */
    public String optInHint() {
        return "opt in with the label " + optInLabel + " or the annotation " + optInAnnotation
                + " on the target or its namespace";
    }

    /**
     * Refuses a selection beyond the global caps.
     *
     * @throws AttackException BLAST_RADIUS naming the cap
     */
    public void checkCaps(int selected, int candidates) {
        if (maxTargets.isPresent() && selected > maxTargets.get()) {
            throw new AttackException(Reason.BLAST_RADIUS, "global blast radius exceeded: " + selected
                    + " targets, tumult.executor.kubernetes.max-targets " + maxTargets.get());
        }
        if (maxPercentage.isPresent() && candidates > 0 && selected * 100.0 / candidates > maxPercentage.get()) {
            throw new AttackException(Reason.BLAST_RADIUS, "global blast radius exceeded: " + selected + " of "
                    + candidates + " candidates, tumult.executor.kubernetes.max-percentage " + maxPercentage.get());
        }
    }

    private static String[] keyValue(String text) {
        String[] kv = text.split("=", 2);
        if (kv.length != 2 || kv[0].isBlank()) {
            throw new IllegalArgumentException("an opt-in label or annotation is key=value: '" + text + "'");
        }
        return kv;
    }
}
