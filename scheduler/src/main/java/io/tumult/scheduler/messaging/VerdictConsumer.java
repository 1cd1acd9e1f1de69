package io.tumult.scheduler.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.run.RunHistory;
import io.tumult.schemas.messaging.Inbound;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The guardian's steady-state verdicts after runs' reverts, which decide whether a completed run passed; and the
 * sweep that fails a run whose verdict does not come in time. An invalid record goes to the dead-letter topic
 * ({@link Inbound}).
 */
@ApplicationScoped
public class VerdictConsumer {

    private static final Logger LOG = Logger.getLogger(VerdictConsumer.class);

    private final RunHistory history;
    private final Inbound<SteadyStateVerdict> verdicts = Inbound.of(EventType.STEADY_STATE_VERDICT);

    VerdictConsumer(RunHistory history) {
        this.history = history;
    }

    @Incoming("run-verdict")
    public Uni<Void> consume(Message<byte[]> message) {
        // lazily: recorded when SmallRye subscribes, on the message's context, as Hibernate Reactive needs
        return Uni.createFrom().completionStage(() -> verdicts.handle(message,
                verdict -> history.judged(verdict).subscribeAsCompletionStage()));
    }

    /** Every replica sweeps; a run is failed once (the update only takes runs still waiting). */
    @Scheduled(every = "${tumult.scheduler.verdict-sweep-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    Uni<Void> failOverdue() {
        return history.failOverdueVerdicts()
                .invoke(failed -> {
                    if (failed > 0) {
                        LOG.warnf("%d run(s) failed: no guardian verdict on their steady state after their revert",
                                failed);
                    }
                })
                .onFailure().invoke(e -> LOG.errorf("looking for overdue verdicts failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
