package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.RunClaimed;

class SharedPicksTest {

    private static final RunClaimed.Pick FIRST = new RunClaimed.Pick(List.of(new RunClaimed.PickedPod("shop/cart-1",
            "n1")), 6);
    private static final RunClaimed.Pick SECOND = new RunClaimed.Pick(List.of(new RunClaimed.PickedPod("shop/cart-2",
            "n2")), 6);

    private final SharedPicks picks = new SharedPicks(Duration.ofMillis(300));
    private final UUID runId = UUID.randomUUID();

    @Test
    void shouldHandOverTheFirstClusterExecutorsPickWhetherItCameBeforeOrWhileWaiting() {
        // Given: a pick read before anyone waits, then another replica's later pick of the same run
        picks.claimed(new RunClaimed(runId, "cluster-a", Instant.now(), null, FIRST));
        picks.claimed(new RunClaimed(runId, "cluster-b", Instant.now(), null, SECOND));
        UUID later = UUID.randomUUID();
        var waiting = CompletableFuture.supplyAsync(() -> picks.await(later));

        // When
        picks.claimed(new RunClaimed(later, "cluster-b", Instant.now(), null, SECOND));

        // Then
        assertThat(picks.await(runId)).isEqualTo(FIRST);
        assertThat(waiting.join()).isEqualTo(SECOND);
    }

    @Test
    void shouldIgnoreClaimsThatCarryNoPick() {
        // Given: node agents' claims and a cluster executor's claim of a run that is not the agents'
        picks.claimed(new RunClaimed(runId, "node-agent-n1", Instant.now(), "n1"));
        picks.claimed(new RunClaimed(runId, "cluster-a", Instant.now()));

        // When
        var e = catchThrowableOfType(AttackException.class, () -> picks.await(runId));

        // Then: no pick within the timeout refuses the share, naming the setting
        assertThat(e.reason()).isEqualTo(Reason.INTERNAL);
        assertThat(e).hasMessageContaining("no cluster executor's pick").hasMessageContaining("pick-timeout");
    }

    @Test
    void shouldHaveNothingToActOnOnceTheRunEndedElsewhere() {
        // Given: the cluster executor refused the run, before and after an agent began to wait
        UUID waitedFor = UUID.randomUUID();
        var waiting = CompletableFuture.supplyAsync(() -> picks.await(waitedFor));
        picks.endedElsewhere(runId, "refused by cluster-a: blast radius");

        // When
        picks.endedElsewhere(waitedFor, "refused by cluster-a: no node agent");

        // Then
        assertThat(picks.await(runId)).isNull();
        assertThat(waiting.join()).isNull();
    }
}
