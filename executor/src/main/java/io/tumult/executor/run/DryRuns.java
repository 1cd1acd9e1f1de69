package io.tumult.executor.run;

import java.time.InstantSource;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.DryRunResult;

/**
 * Answers a dry run: the same refusals and resolution a run-start meets before any action (the attack kind, the
 * target, the blast-radius policy, the experiment's own blast radius), and nothing else: {@link Attack#resolve} only
 * reads. The request id stands in for the run id, so a selection mode shows one plausible pick.
 */
@ApplicationScoped
public class DryRuns {

    private final AttackRegistry attacks;
    private final String executorId;
    private final InstantSource clock;

    @Inject
    DryRuns(AttackRegistry attacks, ExecutorConfig config, InstantSource clock) {
        this(attacks, config.id(), clock);
    }

    public DryRuns(AttackRegistry attacks, String executorId, InstantSource clock) {
        this.attacks = attacks;
        this.executorId = executorId;
        this.clock = clock;
    }

    /** What a run of {@code request}'s spec would act on now, or why it would be refused. */
    public DryRunResult answer(DryRunRequested request) {
        AttackSpec spec = request.spec().attack();
        try {
            Attack<AttackSpec> attack = attacks.attackFor(spec);
            List<ResolvedTarget> targets = attack.resolve(request.requestId(), request.spec().target());
            int candidates = attack.candidates(request.requestId(), request.spec().target(), targets);
            Admission.checkBlastRadius(request.spec().blastRadius(), targets, candidates);
            return new DryRunResult(request.requestId(), executorId, clock.instant(), false,
                    targets.stream().map(ResolvedTarget::describe).toList(), candidates, null,
                    spec.kind() + " would act on " + targets.size() + " of " + candidates
                            + " candidate(s); nothing was touched");
        } catch (AttackException e) {
            return new DryRunResult(request.requestId(), executorId, clock.instant(), true, List.of(), null,
                    RunEngine.reasonOf(e), e.getMessage());
        }
    }
}
