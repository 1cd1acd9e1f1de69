package io.tumult.executor.run;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tumult.executor.attack.AttackException;
import io.tumult.schemas.v1.RunClaimed;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The fail-safe switches' say on every run-start, asked by {@link Admission} under its lock (so a switch that closes
 * the gate and then reverts the active runs misses none). Implemented by {@code failsafe.FailSafe}; an engine built
 * without CDI uses {@link #OPEN}.
 */
public interface StartGate {

    /** Takes every start at once: for engines built by hand in tests. */
    StartGate OPEN = new StartGate() {
        @Override
        public CompletionStage<Void> ready() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean seenElsewhere(UUID runId) {
            return false;
        }

        @Override
        public AttackException refusal() {
            return null;
        }

        @Override
        public CompletionStage<Boolean> claim(UUID runId, RunClaimed.Pick pick) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletionStage<SteadyStateVerdict> steadyState(RunStarted start) {
            return CompletableFuture.completedFuture(new SteadyStateVerdict(start.runId(), start.experiment(), true,
                    start.issuedAt(), "open gate", "not judged: an engine built without a guardian", null, null));
        }
    };

    /** Completes once the gate can judge starts (it has read what it must remember); no start is taken before. */
    CompletionStage<Void> ready();

    /** Whether the run already has a status (from any executor): its start is a duplicate, ignored. */
    boolean seenElsewhere(UUID runId);

    /** Why no run may start now (halted, dead-man switch tripped), or null when runs may start. */
    AttackException refusal();

    /**
     * Claims an admitted run for this executor instance before anything is touched; completes with whether this
     * instance won it (the first claim on the topic wins: another replica handed the same start leaves it alone), or
     * exceptionally when the claim cannot be confirmed (then nothing is injected).
     */
    default CompletionStage<Boolean> claim(UUID runId) {
        return claim(runId, null);
    }

    /**
     * {@link #claim(UUID)}, for a cluster executor's claim of the node agents' part of a run: the claim carries
     * {@code pick}, the pods the agents act on (the first claim's pick is the one).
     */
    CompletionStage<Boolean> claim(UUID runId, RunClaimed.Pick pick);

    /**
     * The guardian's verdict on the steady state of a run that has {@code steadyState} conditions: completes with it
     * once it is read, or exceptionally when none came in time (then nothing is injected).
     */
    CompletionStage<SteadyStateVerdict> steadyState(RunStarted start);
}
