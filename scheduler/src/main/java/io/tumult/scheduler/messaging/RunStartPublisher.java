package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.scheduler.run.RunStartSink;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.RunStarted;

/** Publishes run-starts on {@code tumult.runs.start}, keyed by run id (CloudEvents set per channel). */
@ApplicationScoped
public class RunStartPublisher implements RunStartSink {

    private final MutinyEmitter<Record<String, byte[]>> emitter;

    RunStartPublisher(@Channel("run-start") MutinyEmitter<Record<String, byte[]>> emitter) {
        this.emitter = emitter;
    }

    @Override
    public Uni<Void> publish(RunStarted start) {
        return emitter.send(Record.of(start.runId().toString(), TumultJson.encode(start)));
    }
}
