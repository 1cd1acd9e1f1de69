package io.tumult.guardian.messaging;

import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.guardian.rules.RuleBook;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunPhase;

/**
 * The guardian's three inputs: run-starts (the conditions to watch), run statuses (when the fault is in place and
 * when the run is over) and metric samples (evaluated one by one). A record that fails its schema is nacked, so it
 * goes to the dead-letter topic and the channel keeps going.
 */
@ApplicationScoped
public class GuardianConsumers {

    private final RuleBook rules;
    private final AbortPublisher aborts;
    private final Clock clock = Clock.systemUTC();

    GuardianConsumers(RuleBook rules, AbortPublisher aborts) {
        this.rules = rules;
        this.aborts = aborts;
    }

    @Incoming("run-start")
    public CompletionStage<Void> runStarted(Message<byte[]> message) {
        return handle(message, EventType.RUN_STARTED, start -> {
            if (clock.instant().isBefore(start.deadline())) {
                rules.watch(start, clock.instant());
            }
            return message.ack();
        });
    }

    @Incoming("run-status")
    public CompletionStage<Void> runStatus(Message<byte[]> message) {
        return handle(message, EventType.RUN_STATUS, status -> {
            if (status.phase() == RunPhase.INJECTED) {
                rules.injected(status.runId(), clock.instant());
            } else if (status.phase().terminal()) {
                rules.forget(status.runId());
            }
            return message.ack();
        });
    }

    @Incoming("metrics")
    public CompletionStage<Void> metricSampled(Message<byte[]> message) {
        return handle(message, EventType.METRIC_SAMPLE, sample -> aborts.publish(rules.onSample(sample, clock.instant()))
                .subscribeAsCompletionStage().thenCompose(ignored -> message.ack()));
    }

    private static <T> CompletionStage<Void> handle(Message<byte[]> message, EventType<T> type,
            Function<T, CompletionStage<Void>> handler) {
        T event;
        try {
            event = TumultJson.decode(type, message.getPayload());
        } catch (InvalidDocumentException e) {
            return message.nack(e);
        }
        try {
            return handler.apply(event);
        } catch (RuntimeException e) { // a bug, not bad input: still never the end of the channel
            return message.nack(e);
        }
    }
}
