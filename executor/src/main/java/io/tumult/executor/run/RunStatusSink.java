package io.tumult.executor.run;

import java.util.concurrent.CompletionStage;

import io.tumult.schemas.v1.RunStatus;

/** Where the engine reports each step of a run; completes once the status is durably published. */
public interface RunStatusSink {

    CompletionStage<Void> publish(RunStatus status);
}
