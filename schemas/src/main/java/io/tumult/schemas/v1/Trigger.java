package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What started a run. */
public enum Trigger {
    /** The experiment's cron schedule fired. */
    @JsonProperty("cron")
    CRON,
    /** Someone asked for a run through the API. */
    @JsonProperty("manual")
    MANUAL,
    /** A CD system's post-deploy hook. */
    @JsonProperty("webhook")
    WEBHOOK
}
