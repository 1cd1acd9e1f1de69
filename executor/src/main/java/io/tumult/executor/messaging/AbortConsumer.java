package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.executor.run.RunEngine;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunAborted;

/**
 * Aborts from the guardian, people and alert bridges.
 * <p>
 * Every executor must see every abort: runs are spread over the executors by the run-start consumer group, an abort
 * names a run without knowing which executor holds it, and an abort may arrive before its start (which any executor
 * may later receive). So this channel does not share a group: its group id is {@code tumult-executor-abort-<id>},
 * one per instance, and {@code auto.offset.reset=earliest}. The abort topic is compacted (one record per run id,
 * plus {@code *} for halt-all), so reading it from the beginning on start is bounded, and it rebuilds this instance's
 * memory of aborts issued while it was down: their late starts are still refused, and a halt-all still refuses the
 * runs issued before it.
 * <p>
 * Failures follow {@link Inbound.Policy#NEVER_SKIP}: an abort the engine fails to handle fails the channel and is read
 * again, never skipped; a record that is not an abort is dead-lettered; tombstones are acked.
 */
@ApplicationScoped
public class AbortConsumer {

    private final RunEngine engine;
    private final Inbound<RunAborted> aborts = Inbound.of(EventType.RUN_ABORTED);

    AbortConsumer(RunEngine engine) {
        this.engine = engine;
    }

    @Incoming("abort")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return aborts.handle(message, engine::abort);
    }
}
