package io.tumult.scheduler.dryrun;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.DryRunResult;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Experiment;

/**
 * Asks the executors for a dry run and waits for the answer: publishes a {@link DryRunRequested} keyed by a fresh
 * request id on {@code tumult.dryrun.requests}, and completes when the {@link DryRunResult} of that id arrives on
 * {@code tumult.dryrun.results} (read by every scheduler replica in a group of its own, so the one that asked sees
 * it), or fails with {@link DryRunTimeoutException} after {@code tumult.scheduler.dry-run.timeout}.
 */
@ApplicationScoped
public class DryRunClient {

    private final MutinyEmitter<Record<String, byte[]>> requests;
    private final DryRunConfig config;
    private final Map<UUID, CompletableFuture<DryRunResult>> pending = new ConcurrentHashMap<>();
    private final Inbound<DryRunResult> results = Inbound.of(EventType.DRY_RUN_RESULT);

    DryRunClient(@Channel("dry-run-request") MutinyEmitter<Record<String, byte[]>> requests, DryRunConfig config) {
        this.requests = requests;
        this.config = config;
    }

    /** The executors' answer for {@code experiment}; fails with {@link DryRunTimeoutException} when none comes. */
    public Uni<DryRunResult> ask(Experiment experiment) {
        var request = new DryRunRequested(UUID.randomUUID(), experiment.metadata().name(), Instant.now(),
                experiment.spec());
        var answer = new CompletableFuture<DryRunResult>();
        pending.put(request.requestId(), answer);
        return requests.send(Record.of(request.requestId().toString(), TumultJson.encode(request)))
                .chain(() -> Uni.createFrom().completionStage(answer.orTimeout(config.timeout().toMillis(),
                        TimeUnit.MILLISECONDS)))
                .onFailure(java.util.concurrent.TimeoutException.class)
                .transform(e -> new DryRunTimeoutException("no executor answered dry run " + request.requestId()
                        + " of experiment " + experiment.metadata().name() + " within " + config.timeout()
                        + " (tumult.scheduler.dry-run.timeout); is a cluster executor running?"))
                .eventually(() -> pending.remove(request.requestId()));
    }

    @Incoming("dry-run-result")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        return results.handle(message, result -> {
            var waiting = pending.remove(result.requestId());
            if (waiting != null) {
                waiting.complete(result);
            } // else: another replica asked, or the wait timed out
            return CompletableFuture.completedFuture(null);
        });
    }

    /** No executor answered in time. */
    public static class DryRunTimeoutException extends RuntimeException {
        public DryRunTimeoutException(String message) {
            super(message);
        }
    }
}
