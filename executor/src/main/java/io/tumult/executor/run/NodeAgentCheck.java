package io.tumult.executor.run;

import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.RunClaimed;

/**
 * A cluster executor's part in a run that is the node agents' (an in-pod fault): it picks the run's pods once for
 * every agent (its claim of the run carries the pick, and the first such claim is the one every agent acts on), and it
 * refuses the run when the agents cannot carry it out. Each agent acts only on its own node's picked pods and says
 * nothing about the others, so a picked pod on a node without a ready agent would be left out in silence, and a run
 * whose pods all are would have no status at all.
 */
public interface NodeAgentCheck {

    /**
     * The pods the node agents are to act on in run {@code runId} of {@code spec}, each with its node; null when
     * nothing is checked (engines built by hand).
     *
     * @throws AttackException why the run is refused: what resolving the pods refuses, or a picked pod's node without
     *         a ready agent, or no ready agent at all
     */
    RunClaimed.Pick pick(UUID runId, ExperimentSpec spec);

    /** No check and no pick (engines built by hand). */
    NodeAgentCheck NONE = (runId, spec) -> null;
}
