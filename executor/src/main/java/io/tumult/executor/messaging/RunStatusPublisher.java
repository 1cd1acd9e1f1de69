package io.tumult.executor.messaging;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.executor.run.RunStatusSink;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.RunStatus;

/** Publishes run statuses on {@code tumult.runs.status}, keyed by run id (CloudEvents set per channel). */
@ApplicationScoped
public class RunStatusPublisher implements RunStatusSink {

    private final MutinyEmitter<Record<String, byte[]>> emitter;

    RunStatusPublisher(@Channel("run-status") MutinyEmitter<Record<String, byte[]>> emitter) {
        this.emitter = emitter;
    }

    @Override
    public CompletionStage<Void> publish(RunStatus status) {
        return emitter.send(Record.of(status.runId().toString(), TumultJson.encode(status))).subscribeAsCompletionStage();
    }
}
