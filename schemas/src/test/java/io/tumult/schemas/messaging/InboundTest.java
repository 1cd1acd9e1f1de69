package io.tumult.schemas.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.RunAborted;

class InboundTest {

    /** A record as a channel delivers it, remembering how it was acknowledged. */
    private static final class Delivered {
        final List<String> outcomes = new ArrayList<>();
        final List<Throwable> nackReasons = new ArrayList<>();
        final Message<byte[]> message;

        Delivered(byte[] payload) {
            message = Message.of(payload, () -> {
                outcomes.add("ack");
                return CompletableFuture.completedFuture(null);
            }, reason -> {
                outcomes.add("nack");
                nackReasons.add(reason);
                return CompletableFuture.completedFuture(null);
            });
        }
    }

    @Test
    void shouldAckAValidEventOnlyOnceItsHandlerHasCompleted() throws Exception {
        // Given
        var delivered = new Delivered(fixture("RunStarted-network-loss.json"));
        var handling = new CompletableFuture<Void>();

        // When
        CompletionStage<Void> done = Inbound.of(EventType.RUN_STARTED).handle(delivered.message, start -> handling);

        // Then
        assertThat(delivered.outcomes).isEmpty();
        handling.complete(null);
        assertThat(done.toCompletableFuture()).isCompleted();
        assertThat(delivered.outcomes).containsExactly("ack");
    }

    @Test
    void shouldNackAnInvalidRunStartNamingTheFieldSoItIsDeadLettered() {
        // Given
        var delivered = new Delivered("{\"runId\":\"not-a-uuid\"}".getBytes(StandardCharsets.UTF_8));
        var handled = new AtomicInteger();

        // When
        Inbound.of(EventType.RUN_STARTED).handleNow(delivered.message, start -> handled.incrementAndGet());

        // Then
        assertThat(handled).hasValue(0);
        assertThat(delivered.outcomes).containsExactly("nack");
        assertThat(delivered.nackReasons.get(0)).hasMessageContaining("$.runId");
    }

    @Test
    void shouldNackARunStatusWhoseHandlingFails() throws Exception {
        // Given
        var delivered = new Delivered(fixture("RunStatus-injected.json"));

        // When
        Inbound.of(EventType.RUN_STATUS).handle(delivered.message,
                status -> CompletableFuture.failedFuture(new IllegalStateException("database down")));

        // Then
        assertThat(delivered.outcomes).containsExactly("nack");
        assertThat(delivered.nackReasons.get(0)).hasMessage("database down");
    }

    @Test
    void shouldNeitherAckNorNackButFailWhenAnAbortCannotBeHandled() throws Exception {
        // Given
        var delivered = new Delivered(fixture("RunAborted-auto-abort.json"));

        // When
        CompletionStage<Void> done = Inbound.of(EventType.RUN_ABORTED).handleNow(delivered.message, abort -> {
            throw new IllegalStateException("cannot revert");
        });

        // Then: the channel fails and the record stays uncommitted, to be read again
        assertThat(done.toCompletableFuture()).isCompletedExceptionally();
        assertThat(delivered.outcomes).isEmpty();
    }

    @Test
    void shouldDeadLetterARecordThatIsNoAbort() {
        // Given
        var delivered = new Delivered("{\"runId\":\"*\"}".getBytes(StandardCharsets.UTF_8));

        // When
        Inbound.of(EventType.RUN_ABORTED).handleNow(delivered.message, abort -> {
        });

        // Then
        assertThat(delivered.outcomes).containsExactly("nack");
        assertThat(delivered.nackReasons.get(0)).hasMessageContaining("$.reason");
    }

    @Test
    void shouldAckATombstoneWithoutHandlingIt() {
        // Given
        var delivered = new Delivered(null);
        var handled = new AtomicInteger();

        // When
        Inbound.of(EventType.RUN_ABORTED).handleNow(delivered.message, (RunAborted abort) -> handled.incrementAndGet());

        // Then
        assertThat(handled).hasValue(0);
        assertThat(delivered.outcomes).containsExactly("ack");
    }

    @Test
    void shouldAckAndCountHeartbeatsThatAreInvalidOrFailToBeHandled() throws Exception {
        // Given
        var samples = Inbound.of(EventType.GUARDIAN_HEARTBEAT);
        var invalid = new Delivered("{\"guardian\":\"\"}".getBytes(StandardCharsets.UTF_8));
        var failing = new Delivered(fixture("GuardianHeartbeat.json"));

        // When
        samples.handleNow(invalid.message, sample -> {
        });
        samples.handleNow(failing.message, sample -> {
            throw new IllegalStateException("bug");
        });

        // Then
        assertThat(invalid.outcomes).containsExactly("ack");
        assertThat(failing.outcomes).containsExactly("ack");
        assertThat(samples.ignored()).isEqualTo(2);
    }

    @Test
    void shouldHaveAPolicyForEveryEventThatTravelsOnKafka() {
        // Given
        List<EventType<?>> all = EventType.ALL;

        // When / Then
        assertThat(all).allSatisfy(type -> assertThat(Inbound.policyOf(type)).isNotNull());
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = InboundTest.class.getResourceAsStream("/io/tumult/schemas/v1/" + name)) {
            return in.readAllBytes();
        }
    }
}
