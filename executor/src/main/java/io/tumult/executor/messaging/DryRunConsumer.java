package io.tumult.executor.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.executor.run.DryRuns;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.EventType;

/**
 * Dry-run requests from the scheduler (group {@code tumult-executor-dry-run}: one executor answers each), answered on
 * {@code tumult.dryrun.results} keyed by the request id. Resolution blocks on API calls: it runs off the event loop.
 */
@ApplicationScoped
public class DryRunConsumer {

    private final DryRuns dryRuns;
    private final MutinyEmitter<Record<String, byte[]>> results;
    private final Inbound<DryRunRequested> requests = Inbound.of(EventType.DRY_RUN_REQUESTED);

    DryRunConsumer(DryRuns dryRuns, @Channel("dry-run-result") MutinyEmitter<Record<String, byte[]>> results) {
        this.dryRuns = dryRuns;
        this.results = results;
    }

    @Incoming("dry-run-request")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return requests.handle(message, request -> CompletableFuture.supplyAsync(() -> dryRuns.answer(request))
                .thenCompose(result -> results.send(Record.of(result.requestId().toString(),
                        TumultJson.encode(result))).subscribeAsCompletionStage()));
    }
}
