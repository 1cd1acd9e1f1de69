package io.tumult.guardian.messaging;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.RunAborted;

/** Publishes aborts on {@code tumult.runs.abort}, keyed by run id (CloudEvents set per channel). */
@ApplicationScoped
public class AbortPublisher {

    private static final Logger LOG = Logger.getLogger(AbortPublisher.class);
    private static final Duration RETRY_FIRST = Duration.ofMillis(100);
    private static final Duration RETRY_MAX = Duration.ofSeconds(2);

    private final MutinyEmitter<Record<String, byte[]>> emitter;

    AbortPublisher(@Channel("abort") MutinyEmitter<Record<String, byte[]>> emitter) {
        this.emitter = emitter;
    }

    /**
     * Sends every abort; completes when the broker has acknowledged all of them. An abort must land: a failed send
     * (the producer has already retried for its delivery timeout) is sent again, with back-off, until it does.
     */
    public Uni<Void> publish(List<RunAborted> aborts) {
        if (aborts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(aborts.stream().map(this::publish).toList()).andFailFast().replaceWithVoid();
    }

    private Uni<Void> publish(RunAborted abort) {
        LOG.infof("runId=%s abort: %s", abort.runId(), abort.reason().message());
        return emitter.send(Record.of(abort.runId(), TumultJson.encode(abort)))
                .onFailure().invoke(e -> LOG.errorf("runId=%s abort not published, retrying: %s", abort.runId(), e))
                .onFailure().retry().withBackOff(RETRY_FIRST, RETRY_MAX).indefinitely();
    }
}
