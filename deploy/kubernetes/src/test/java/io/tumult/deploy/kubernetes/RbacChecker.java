package io.tumult.deploy.kubernetes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

/**
 * Least privilege, checked both ways: given the rendered manifests, a ServiceAccount and the API calls its code makes
 * (as a fabric8 mock server records them, see {@link ApiCall#fromRequest}), which calls its Roles and ClusterRoles do
 * not grant, and which grants no call uses. A wildcard or a rule with resource names counts as a grant no call
 * justifies.
 */
public final class RbacChecker {

    /**
     * One permission: a verb on a group's resource (with its subresource, {@code pods/eviction}), in one namespace or,
     * with a null namespace, cluster-wide.
     */
    public record Grant(String verb, String apiGroup, String resource, String namespace, String from) {
        @Override
        public String toString() {
            return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource
                    + (namespace == null ? " (cluster-wide)" : " in " + namespace) + " from " + from;
        }

        boolean allows(ApiCall call) {
            return verb.equals(call.verb()) && apiGroup.equals(call.apiGroup()) && resource.equals(call.resourceName())
                    && (namespace == null || namespace.equals(call.namespace()));
        }
    }

    /** Calls not granted, and grants no call uses: both empty is least privilege. */
    public record Report(List<ApiCall> notGranted, List<Grant> unused) {
        public boolean exact() {
            return notGranted.isEmpty() && unused.isEmpty();
        }

        @Override
        public String toString() {
            return "not granted: " + notGranted + "; granted but never called: " + unused;
        }
    }

    private final List<HasMetadata> manifests;

    public RbacChecker(List<HasMetadata> manifests) {
        this.manifests = List.copyOf(manifests);
    }

    /** Checks the grants of ServiceAccount {@code namespace/name} against the calls its code makes. */
    public Report check(String namespace, String serviceAccount, Collection<ApiCall> calls) {
        List<Grant> grants = grants(namespace, serviceAccount);
        var notGranted = new ArrayList<ApiCall>();
        for (ApiCall call : new LinkedHashSet<>(calls)) {
            if (grants.stream().noneMatch(g -> g.allows(call))) {
                notGranted.add(call);
            }
        }
        var unused = new ArrayList<Grant>();
        for (Grant grant : grants) {
            if (calls.stream().noneMatch(grant::allows)) {
                unused.add(grant);
            }
        }
        return new Report(notGranted, unused);
    }

    /** Every permission bound to that ServiceAccount, rule by rule. */
    public List<Grant> grants(String namespace, String serviceAccount) {
        var grants = new ArrayList<Grant>();
        for (HasMetadata object : manifests) {
            if (object instanceof ClusterRoleBinding binding && names(binding.getSubjects(), namespace, serviceAccount)) {
                grants.addAll(rules(binding.getRoleRef(), null, "ClusterRoleBinding " + binding.getMetadata().getName()));
            } else if (object instanceof RoleBinding binding && names(binding.getSubjects(), namespace, serviceAccount)) {
                grants.addAll(rules(binding.getRoleRef(), binding.getMetadata().getNamespace(),
                        "RoleBinding " + binding.getMetadata().getNamespace() + "/" + binding.getMetadata().getName()));
            }
        }
        return grants;
    }

    private static boolean names(List<Subject> subjects, String namespace, String serviceAccount) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && serviceAccount.equals(s.getName()) && namespace.equals(s.getNamespace()));
    }

    private List<Grant> rules(RoleRef ref, String namespace, String binding) {
        List<PolicyRule> rules = manifests.stream()
                .filter(o -> switch (ref.getKind()) {
                    case "ClusterRole" -> o instanceof ClusterRole;
                    case "Role" -> o instanceof Role && Objects.equals(o.getMetadata().getNamespace(), namespace);
                    default -> false;
                })
                .filter(o -> o.getMetadata().getName().equals(ref.getName()))
                .findFirst()
                .map(o -> o instanceof ClusterRole c ? c.getRules() : ((Role) o).getRules())
                .orElseThrow(() -> new IllegalStateException(binding + " refers to a missing " + ref.getKind() + " "
                        + ref.getName()));
        String from = binding + " -> " + ref.getKind() + " " + ref.getName();
        var grants = new ArrayList<Grant>();
        for (PolicyRule rule : rules) {
            boolean narrowedByName = rule.getResourceNames() != null && !rule.getResourceNames().isEmpty();
            for (String group : nonNull(rule.getApiGroups())) {
                for (String resource : nonNull(rule.getResources())) {
                    for (String verb : nonNull(rule.getVerbs())) {
                        // a wildcard or a by-name rule can match no recorded call exactly: it shows up as unused
                        String marked = narrowedByName ? resource + " (names " + rule.getResourceNames() + ")" : resource;
                        grants.add(new Grant(verb, group, marked, namespace, from));
                    }
                }
            }
            if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
                grants.add(new Grant(String.join(",", nonNull(rule.getVerbs())), "", "nonResourceURLs "
                        + rule.getNonResourceURLs(), namespace, from));
            }
        }
        return grants;
    }

    private static List<String> nonNull(List<String> values) {
        return values == null ? List.of() : values;
    }

    /** The ServiceAccounts any binding names: those with some API access. */
    public Set<String> boundServiceAccounts() {
        var bound = new LinkedHashSet<String>();
        for (HasMetadata object : manifests) {
            List<Subject> subjects = object instanceof ClusterRoleBinding c ? c.getSubjects()
                    : object instanceof RoleBinding r ? r.getSubjects() : List.of();
            subjects.stream().filter(s -> "ServiceAccount".equals(s.getKind()))
                    .forEach(s -> bound.add(s.getNamespace() + "/" + s.getName()));
        }
        return bound;
    }
}
