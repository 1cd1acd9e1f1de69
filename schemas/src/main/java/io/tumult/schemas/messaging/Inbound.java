package io.tumult.schemas.messaging;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;

/**
 * The one way a Tumult service takes an event off a channel: decode the record with {@link TumultJson} (which
 * validates it against its schema first), hand the event on, and acknowledge the record by the {@link Policy} of its
 * kind of input. Every service's consumers use it, so a kind of input fails the same way wherever it is read.
 * <p>
 * Use it from an {@code @Incoming} method that takes the {@code Message<byte[]>} and returns the stage (manual
 * acknowledgement, SmallRye's default for such a method). The channel's {@code failure-strategy} must match the
 * policy: {@code dead-letter-queue} for {@link Policy#DEAD_LETTER} and {@link Policy#NEVER_SKIP}, {@code ignore}
 * for {@link Policy#IGNORE} (it never nacks anyway).
 *
 * @param <T> the event's record
 */
public final class Inbound<T> {

    /** How a kind of input fails. */
    public enum Policy {
        /**
         * Run-starts and run statuses. A record that fails its schema, or whose handling fails, is nacked with the
         * reason: the channel's dead-letter strategy sends it to the dead-letter topic with the reason in
         * {@code dead-letter-reason}, and the channel goes on with the next record.
         */
        DEAD_LETTER,
        /**
         * Aborts. A valid abort whose handling fails is never skipped: it is neither acked nor nacked, the returned
         * stage fails, and SmallRye then fails the channel (its health turns DOWN) without committing the record, so
         * a restarted or other instance reads it again. A record that fails its schema can never become an abort,
         * and redelivering it would hold back every later abort on its partition: it is dead-lettered with the
         * reason, as under {@link #DEAD_LETTER}.
         */
        NEVER_SKIP,
        /**
         * Heartbeats and start records: cheap, and superseded by the next one. A record that fails its schema or its
         * handling is acked and counted ({@link Inbound#ignored()}); nothing is dead-lettered.
         */
        IGNORE
    }

    private static final Map<EventType<?>, Policy> POLICIES = Map.ofEntries(
            Map.entry(EventType.RUN_STARTED, Policy.DEAD_LETTER),
            Map.entry(EventType.RUN_STATUS, Policy.DEAD_LETTER),
            Map.entry(EventType.RUN_CLAIMED, Policy.DEAD_LETTER), // a claim that is not one claims nothing
            Map.entry(EventType.STEADY_STATE_VERDICT, Policy.DEAD_LETTER), // one that is not a verdict lets nothing in
            Map.entry(EventType.RUN_ABORTED, Policy.NEVER_SKIP),
            Map.entry(EventType.HALT_RELEASED, Policy.NEVER_SKIP),
            // metric samples are read by the guardian's own loop, which dead-letters each bad one with its reason
            Map.entry(EventType.METRIC_SAMPLE, Policy.DEAD_LETTER),
            Map.entry(EventType.GUARDIAN_HEARTBEAT, Policy.IGNORE),
            Map.entry(EventType.DRY_RUN_REQUESTED, Policy.DEAD_LETTER),
            Map.entry(EventType.DRY_RUN_RESULT, Policy.DEAD_LETTER),
            Map.entry(EventType.SCHEDULER_STARTED, Policy.IGNORE)); // a record of a start, for people

    private final EventType<T> type;
    private final Policy policy;
    private final LongAdder ignored = new LongAdder();

    private Inbound(EventType<T> type, Policy policy) {
        this.type = type;
        this.policy = policy;
    }

    /** The input for events of {@code type}, with that kind's policy. */
    public static <T> Inbound<T> of(EventType<T> type) {
        return new Inbound<>(type, policyOf(type));
    }

    /** The failure policy of every input of events of {@code type}. */
    public static Policy policyOf(EventType<?> type) {
        Policy policy = POLICIES.get(Objects.requireNonNull(type, "type"));
        if (policy == null) {
            throw new IllegalArgumentException("no input policy for " + type.ceType());
        }
        return policy;
    }

    public EventType<T> type() {
        return type;
    }

    public Policy policy() {
        return policy;
    }

    /** Records acked without being handled because they were invalid or their handling failed ({@link Policy#IGNORE}). */
    public long ignored() {
        return ignored.sum();
    }

    /**
     * Decodes {@code message}, runs {@code handler} on the event, and acks the record once the handler's stage
     * completes; on failure, does what the policy says. A tombstone (no payload: compaction deleting a record) is
     * acked without calling the handler.
     */
    public CompletionStage<Void> handle(Message<byte[]> message, Function<? super T, ? extends CompletionStage<?>> handler) {
        if (message.getPayload() == null) {
            return message.ack();
        }
        T event;
        try {
            event = TumultJson.decode(type, message.getPayload());
        } catch (InvalidDocumentException e) {
            return invalid(message, e);
        } catch (RuntimeException e) { // a codec bug, not bad input: one record, never the end of the channel
            return invalid(message, new IllegalArgumentException("undecodable " + type.javaType().getSimpleName()
                    + " record: " + e, e));
        }
        CompletionStage<?> handled;
        try {
            handled = Objects.requireNonNull(handler.apply(event), "the handler returned no stage");
        } catch (RuntimeException e) {
            handled = CompletableFuture.failedFuture(e);
        }
        return handled.handle((ok, failure) -> failure == null ? message.ack() : failed(message, unwrap(failure)))
                .thenCompose(stage -> stage);
    }

    /** {@link #handle} for a handler that is done when it returns. */
    public CompletionStage<Void> handleNow(Message<byte[]> message, Consumer<? super T> handler) {
        return handle(message, event -> {
            handler.accept(event);
            return CompletableFuture.completedFuture(null);
        });
    }

    private CompletionStage<Void> invalid(Message<byte[]> message, RuntimeException reason) {
        if (policy == Policy.IGNORE) {
            ignored.increment();
            return message.ack();
        }
        return message.nack(reason);
    }

    private CompletionStage<Void> failed(Message<byte[]> message, Throwable failure) {
        return switch (policy) {
            case DEAD_LETTER -> message.nack(failure);
            case NEVER_SKIP -> CompletableFuture.failedFuture(failure);
            case IGNORE -> {
                ignored.increment();
                yield message.ack();
            }
        };
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
    }
}
