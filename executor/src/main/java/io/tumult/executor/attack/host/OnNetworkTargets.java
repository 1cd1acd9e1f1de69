package io.tumult.executor.attack.host;

import java.util.List;
import java.util.UUID;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.Target;

/**
 * A network attack whose targets are named namespaces or pods, through one {@link NetworkTargets}: how many
 * candidates a run picked from and where it acts follow from it. Each attack still says how it resolves (its kind and
 * the tools it runs).
 */
interface OnNetworkTargets<S extends AttackSpec> extends Attack<S> {

    /** Where this attack's targets come from. */
    NetworkTargets networkTargets();

    @Override
    default List<ResolvedTarget> resolve(Target target) {
        return resolve(new UUID(0, 0), target);
    }

    @Override
    default int candidates(UUID runId, Target target, List<ResolvedTarget> resolved) {
        return networkTargets().candidates(runId, resolved);
    }

    @Override
    default boolean actsHere(ResolvedTarget target) {
        return networkTargets().actsHere(target);
    }
}
