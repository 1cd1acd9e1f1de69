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

    /** How many targets {@code target} could match, for {@code blastRadius.maxPercentage}. */
    default int candidates(Target target, List<ResolvedTarget> resolved) {
        return resolved.size();
    }

    /**
     * Injects the fault on one target. The returned injection must be enough to undo it.
     *
     * @throws AttackException when the fault could not be put in place; whatever was applied is undone first
     */
    Injection inject(UUID runId, S spec, ResolvedTarget target);

    /** Undoes {@link #inject}. Completes normally if nothing is injected any more. */
    void recover(Injection injection);
}
