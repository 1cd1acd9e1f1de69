package io.tumult.executor.attack;

import static java.util.stream.Collectors.toUnmodifiableMap;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.quarkus.runtime.Startup;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.Target;

/** Every attack bean by the spec it carries out; built at start-up so a duplicate kind fails the boot. */
@Startup
@ApplicationScoped
public class AttackRegistry {

    private final Map<Class<?>, Attack<?>> bySpecType;
    private final Role role;

    @Inject
    AttackRegistry(Instance<Attack<?>> attacks, KubernetesConfig kubernetes) {
        this(attacks.stream().toList(), kubernetes.role());
    }

    /** A registry of exactly these attacks, for running the engine without CDI (tests), in the role {@code all}. */
    public AttackRegistry(List<? extends Attack<?>> attacks) {
        this(attacks, Role.ALL);
    }

    /** A registry of exactly these attacks for an executor in {@code role}. */
    public AttackRegistry(List<? extends Attack<?>> attacks, Role role) {
        this.role = role;
        // two attacks for one kind is a bug: fail the boot naming both
        this.bySpecType = attacks.stream().collect(toUnmodifiableMap(Attack::specType, Function.identity(), (a, b) -> {
            throw new IllegalStateException("two attacks for one kind: " + a.getClass().getName() + " and "
                    + b.getClass().getName());
        }));
    }

    /** The attack for {@code spec}; throws UNSUPPORTED_KIND when none is registered. */
    @SuppressWarnings("unchecked")
    public <S extends AttackSpec> Attack<S> attackFor(S spec) {
        var attack = (Attack<S>) bySpecType.get(spec.getClass());
        if (attack == null) {
            throw new AttackException(AttackException.Reason.UNSUPPORTED_KIND,
                    "this executor has no attack for kind " + spec.kind());
        }
        return attack;
    }

    /**
     * The attack for a kind by its name ({@code network-loss}), for reverting a journaled injection after a restart,
     * when only the injection's kind is known.
     */
    public Optional<Attack<?>> attackForKind(String kind) {
        return bySpecType.entrySet().stream().filter(e -> kind.equals(kindOf(e.getKey()))).map(Map.Entry::getValue)
                .findFirst();
    }

    private static String kindOf(Class<?> specType) {
        try {
            return String.valueOf(specType.getField("KIND").get(null));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whose part of the work a run is, for this executor's role. */
    public enum Part {
        /** This executor carries it out. */
        HERE,
        /** The other role does: left to it without a word (both roles read every run-start). */
        ELSEWHERE,
        /**
         * The node agents do, each its own node's pods: the cluster executors only check that every picked pod's node
         * has a ready agent, and refuse the run when one has none (no agent speaks for a node without one).
         */
        AGENTS,
        /** No executor in a cluster can: the cluster executor refuses it, naming why. */
        NOWHERE
    }

    /**
     * Whose part a run of {@code spec} on {@code target} is. The cluster executors (one consumer group) take the
     * Kubernetes API attacks, and refuse what no one in a cluster can do: a host target (cgroup, process, named
     * network namespace) names no node, and every node agent reads every run-start. The node agents take in-pod faults
     * (pod targets), each on its own node's pods. The role {@code all} takes everything. A kind no attack knows is the
     * cluster executors', which refuse it naming the kind.
     */
    public Part partOf(AttackSpec spec, Target target) {
        Attack<?> attack = bySpecType.get(spec.getClass());
        if (attack == null || attack.clusterLevel()) {
            return role.cluster() ? Part.HERE : Part.ELSEWHERE;
        }
        boolean pod = target instanceof PodTarget;
        return switch (role) {
            case ALL -> Part.HERE;
            case NODE -> pod ? Part.HERE : Part.ELSEWHERE;
            case CLUSTER -> pod ? Part.AGENTS : Part.NOWHERE;
        };
    }

    /** The refusal of a run that is {@link Part#NOWHERE}'s: a host target in a cluster. */
    public static AttackException nowhere(AttackSpec spec, Target target) {
        return new AttackException(AttackException.Reason.UNSUPPORTED_KIND, spec.kind() + " on a " + target.kind()
                + " target names no node, and no executor in a cluster takes it: target pods (the node agents act in"
                + " their namespaces), or run an executor with role 'all' on that host");
    }

    /** Whether a kind is supported, for the registry test. */
    public boolean supports(Class<? extends AttackSpec> specType) {
        return bySpecType.containsKey(specType);
    }
}
