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
    private volatile NodeAgentCheck nodeAgents = NodeAgentCheck.NONE;

    @Inject
    DryRuns(AttackRegistry attacks, ExecutorConfig config, InstantSource clock) {
        this(attacks, config.id(), clock);
    }

    public DryRuns(AttackRegistry attacks, String executorId, InstantSource clock) {
        this.attacks = attacks;
        this.executorId = executorId;
        this.clock = clock;
    }

    /** A cluster executor's check that the node agents can carry out their part; CDI passes {@code NodeAgents}. */
    @Inject
    public void checkNodeAgents(NodeAgentCheck check) {
        this.nodeAgents = check;
    }

    /**
     * What a run of {@code request}'s spec would act on now, or why it would be refused. In a cluster, also what only
     * the role decides: a host target is refused, and an in-pod fault needs a ready node agent on each picked pod's
     * node.
     */
    public DryRunResult answer(DryRunRequested request) {
        AttackSpec spec = request.spec().attack();
        try {
            Attack<AttackSpec> attack = attacks.attackFor(spec);
            AttackRegistry.Part part = attacks.partOf(spec, request.spec().target());
            if (part == AttackRegistry.Part.NOWHERE) {
                throw AttackRegistry.nowhere(spec, request.spec().target());
            }
            List<ResolvedTarget> targets = attack.resolve(request.requestId(), request.spec().target());
            int candidates = attack.candidates(request.requestId(), request.spec().target(), targets);
            Admission.checkBlastRadius(request.spec().blastRadius(), targets, candidates);
            if (part == AttackRegistry.Part.AGENTS) {
                nodeAgents.pick(request.requestId(), request.spec()); // refuses as a run would be
            }
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
