package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of abort decision. */
public enum AbortKind {
    /** One of the run's autoAbort conditions held. */
    @JsonProperty("auto-abort")
    AUTO_ABORT,
    /** A metric the run depends on stopped arriving: no data is not healthy. */
    @JsonProperty("no-data")
    NO_DATA,
    /** A person or tool asked for it. */
    @JsonProperty("manual")
    MANUAL,
    /** An external alert (Grafana, Alertmanager) fired. */
    @JsonProperty("alert")
    ALERT,
    /** A blackout window opened: no run may be active while it is open. */
    @JsonProperty("blackout")
    BLACKOUT,
    /**
     * An executor carrying out another share of the run (a node agent on another node) failed or refused its share: the
     * run ends on every node, so no share stays in place unwatched once the run is reported over.
     */
    @JsonProperty("peer-failure")
    PEER_FAILURE
}
