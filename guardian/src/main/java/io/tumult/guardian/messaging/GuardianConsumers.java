package io.tumult.guardian.messaging;

import java.time.Clock;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.guardian.rules.RuleBook;
import io.tumult.guardian.runs.LiveRunRegistry;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;

/**
 * The guardian's three inputs: run-starts (the conditions to watch), run statuses (when the fault is in place and
 * when the run is over) and metric samples (evaluated one by one). Failures follow each input's {@link Inbound}
 * policy: an invalid run-start or run status goes to the dead-letter topic; an invalid sample is ignored and counted
 * ({@link #invalidSamples()}), since the next one supersedes it. Every channel keeps going.
 */
@ApplicationScoped
public class GuardianConsumers {

    private final RuleBook rules;
    private final LiveRunRegistry live;
    private final AbortPublisher aborts;
    private final Clock clock = Clock.systemUTC();
    private final Inbound<RunStarted> starts = Inbound.of(EventType.RUN_STARTED);
    private final Inbound<RunStatus> statuses = Inbound.of(EventType.RUN_STATUS);
    private final Inbound<MetricSample> samples = Inbound.of(EventType.METRIC_SAMPLE);

    GuardianConsumers(RuleBook rules, LiveRunRegistry live, AbortPublisher aborts) {
        this.rules = rules;
        this.live = live;
        this.aborts = aborts;
    }

    @Incoming("run-start")
    public CompletionStage<Void> runStarted(Message<byte[]> message) {
        return starts.handleNow(message, start -> {
            if (clock.instant().isBefore(start.deadline())) {
                rules.watch(start, clock.instant());
                live.started(start);
            }
        });
    }

    @Incoming("run-status")
    public CompletionStage<Void> runStatus(Message<byte[]> message) {
        return statuses.handleNow(message, status -> {
            if (status.phase() == RunPhase.INJECTED) {
                rules.injected(status.runId(), clock.instant());
            } else if (status.phase().terminal()) {
                rules.forget(status.runId());
                live.ended(status.runId());
            }
        });
    }

    @Incoming("metrics")
    public CompletionStage<Void> metricSampled(Message<byte[]> message) {
        return samples.handle(message, sample -> aborts.publish(rules.onSample(sample, clock.instant()))
                .subscribeAsCompletionStage());
    }

    /** Metric samples ignored since start because they failed their schema or their evaluation. */
    public long invalidSamples() {
        return samples.ignored();
    }
}
