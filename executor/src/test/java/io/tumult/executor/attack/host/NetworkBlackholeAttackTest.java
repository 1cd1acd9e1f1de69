package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.schemas.v1.NetworkBlackhole;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** A real blackhole table in a real namespace, measured by pings and TCP connections from the victim. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkBlackholeAttackTest {

    private final NetworkBlackholeAttack attack = new NetworkBlackholeAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldBlackholeTheHostUntilReverted() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.rttMillisFromVictim(5)).hasSize(5);
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new NetworkBlackhole(pair.peerAddress(), null), target);
        Injection injection = attack.inject(runId, new NetworkBlackhole(pair.peerAddress(), null), target);

        // Then
        assertThat(pair.rttMillisFromVictim(10)).isEmpty();
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.rttMillisFromVictim(10)).hasSize(10);
        assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).isBlank();
    }

    @Test
    void shouldBlackholeOnlyThePortWhenNoHostIsNamed() {
        // Given
        pair.startTcpSinkOnPeer(7001);
        pair.startTcpSinkOnPeer(7002);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.victimConnectsToPeer(7001, 2)).isTrue();

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkBlackhole(null, 7001), target);

        // Then
        assertThat(pair.victimConnectsToPeer(7001, 1)).isFalse();
        assertThat(pair.victimConnectsToPeer(7002, 2)).isTrue();
        assertThat(pair.rttMillisFromVictim(5)).hasSize(5);
        attack.recover(injection);
        assertThat(pair.victimConnectsToPeer(7001, 2)).isTrue();
    }
}
