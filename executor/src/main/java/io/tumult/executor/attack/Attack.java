package io.tumult.executor.attack;

import java.util.List;
import java.util.UUID;

import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.Target;

/**
 * One kind of fault. Implementations act on exactly one target; the run engine resolves targets, enforces the
 * blast radius, and drives injection and recovery. Methods block (they run commands or API calls) and are called
 * off the event loop. {@link #inject} and {@link #recover} must be idempotent: after a crash they are replayed.
 */
public interface Attack<S extends AttackSpec> {

    /** The spec record this attack carries out. */
    Class<S> specType();

    /**
     * The concrete targets {@code target} names, checked to exist and to be allowed.
     *
     * @throws AttackException TARGET_NOT_FOUND or PERMISSION_DENIED, before any action
     */
    List<ResolvedTarget> resolve(Target target);

    /**
     * {@link #resolve(Target)} for one run: attacks that pick among candidates (Kubernetes selection modes) pick by
     * the run id, so every executor resolving the same run picks the same targets. The engine calls this one.
     */
    default List<ResolvedTarget> resolve(UUID runId, Target target) {
        return resolve(target);
    }

    /**
     * How many targets {@code target} could match, for {@code blastRadius.maxPercentage}, as the resolution for
     * {@code runId} found them.
     */
    default int candidates(UUID runId, Target target, List<ResolvedTarget> resolved) {
        return resolved.size();
    }

    /**
     * Works out, without acting, what injecting {@code spec} on {@code target} for {@code runId} means and how to undo
     * it. The engine journals the result and arms a guard with its {@code undo} before {@link #apply} is called, so
     * the undo may only name things derived from the run (for example a table or cgroup named after the run id),
     * never something only known once applied (a pid).
     *
     * @throws AttackException when the target cannot take this fault (refusal, before any action)
     */
    Injection plan(UUID runId, S spec, ResolvedTarget target);

    /**
     * {@link #plan(UUID, AttackSpec, ResolvedTarget)} knowing the run's hard deadline, which attacks that record their
     * fault on the object itself (Kubernetes annotations) write there too. The engine calls this one.
     */
    default Injection plan(UUID runId, java.time.Instant deadline, S spec, ResolvedTarget target) {
        return plan(runId, spec, target);
    }

    /**
     * Whether this executor carries out the run on {@code target}: false for a pod on another node, which that node's
     * agent acts on (every agent resolves the same targets for a run; each acts on its own node's share).
     */
    default boolean actsHere(ResolvedTarget target) {
        return true;
    }

    /**
     * Whether the attack acts through the Kubernetes API (the cluster executor's part) rather than on a host (the
     * node agents' part, host and in-pod faults alike).
     */
    default boolean clusterLevel() {
        return false;
    }

    /**
     * Whether a guard process on this host must run {@link Injection#undo()} if the executor dies. True for host
     * faults; false for faults that live in the Kubernetes API, which the object's own revert record and the
     * journal restore (a guard in the executor's container dies with it, and has no API credentials).
     */
    default boolean needsHostGuard() {
        return true;
    }

    /**
     * Puts a planned fault in place; applying it again replaces it, never stacks it.
     *
     * @throws AttackException when the fault could not be put in place; whatever was applied is undone first
     */
    void apply(S spec, Injection injection);

    /** {@link #plan} then {@link #apply}: for callers that need no journal in between (tests, tools). */
    default Injection inject(UUID runId, S spec, ResolvedTarget target) {
        Injection injection = plan(runId, spec, target);
        apply(spec, injection);
        return injection;
    }

    /** Undoes {@link #inject}. Completes normally if nothing is injected any more. */
    void recover(Injection injection);
}
