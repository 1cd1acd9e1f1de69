package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an experiment breaks, how, for how long, and when it must stop.
 *
 * @param hypothesis the steady state the experiment expects to hold, in words
 * @param target what the attack acts on
 * @param attack the fault to inject
 * @param duration how long the fault stays; it is reverted at this deadline whatever else happens
 * @param blastRadius caps on how much the run may touch; null means the global policy alone
 * @param steadyState conditions that must hold before the fault goes in: a guardian judges them, and an executor
 *        injects only on its {@link SteadyStateVerdict} that they held (the autoAbort conditions guard the run after)
 * @param autoAbort conditions that abort the run as soon as any of them holds
 * @param schedule when the experiment fires on its own; null means on demand only
 * @param onDeploy deploys that start a run (CD post-deploy hooks), any one matching; never null, empty means none
 */
public record ExperimentSpec(
        String hypothesis,
        Target target,
        AttackSpec attack,
        Duration duration,
        BlastRadius blastRadius,
        List<Condition> steadyState,
        List<Condition> autoAbort,
        Schedule schedule,
        List<DeployTrigger> onDeploy) {

    public ExperimentSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(attack, "attack");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        steadyState = steadyState == null ? List.of() : List.copyOf(steadyState);
        autoAbort = autoAbort == null ? List.of() : List.copyOf(autoAbort);
        onDeploy = onDeploy == null ? List.of() : List.copyOf(onDeploy);
    }

    /** A spec that no deploy triggers. */
    public ExperimentSpec(String hypothesis, Target target, AttackSpec attack, Duration duration,
            BlastRadius blastRadius, List<Condition> steadyState, List<Condition> autoAbort, Schedule schedule) {
        this(hypothesis, target, attack, duration, blastRadius, steadyState, autoAbort, schedule, List.of());
    }
}
