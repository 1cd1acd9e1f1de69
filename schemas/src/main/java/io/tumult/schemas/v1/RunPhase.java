package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Steps of a run on an executor. Every phase but {@link #INJECTED} is final. */
public enum RunPhase {
    /** The fault is active on every target. */
    @JsonProperty("injected")
    INJECTED(false),
    /** The deadline came and the fault was reverted: the run completed. */
    @JsonProperty("reverted")
    REVERTED(true),
    /** An abort came and the fault was reverted. */
    @JsonProperty("aborted")
    ABORTED(true),
    /** The run was refused before any action: blast radius, a remembered abort, a stale or unknown start. */
    @JsonProperty("refused")
    REFUSED(true),
    /** Injection failed; whatever had been applied was reverted. */
    @JsonProperty("failed")
    FAILED(true);

    private final boolean terminal;

    RunPhase(boolean terminal) {
        this.terminal = terminal;
    }

    /** Whether the run is over once it reaches this phase. */
    public boolean terminal() {
        return terminal;
    }
}
