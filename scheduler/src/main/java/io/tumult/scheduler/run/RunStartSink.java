package io.tumult.scheduler.run;

import io.smallrye.mutiny.Uni;
import io.tumult.schemas.v1.RunStarted;

/** Where run-starts go; completes once the broker has them. */
public interface RunStartSink {

    Uni<Void> publish(RunStarted start);
}
