package io.tumult.executor.run;

import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.schemas.v1.ExperimentSpec;

/**
 * A cluster executor's check of a run that is the node agents' part (an in-pod fault): each agent acts only on its own
 * node's picked pods and says nothing about the others, so a picked pod on a node without a ready agent would be left
 * out in silence, and a run whose pods all are would have no status at all. The cluster executor refuses such a run;
 * every agent then ends its share (another executor's refusal is a peer failure to it).
 */
public interface NodeAgentCheck {

    /**
     * Why the node agents cannot carry out run {@code runId} of {@code spec}, or null when they can (or will say why
     * not themselves).
     */
    AttackException refusal(UUID runId, ExperimentSpec spec);

    /** No check (engines built by hand). */
    NodeAgentCheck NONE = (runId, spec) -> null;
}
