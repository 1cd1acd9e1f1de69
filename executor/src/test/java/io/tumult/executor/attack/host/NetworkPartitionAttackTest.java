package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NetworkPartition;

/** A real partition table in a real namespace, measured by pings and TCP connections from the victim. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkPartitionAttackTest {

    private final NetworkPartitionAttack attack = new NetworkPartitionAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldCutTheVictimOffTheCidrInBothDirectionsUntilReverted() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.lossPercent(10)).isZero();
        UUID runId = UUID.randomUUID();

        // When: injected twice, it must replace, not stack
        attack.inject(runId, new NetworkPartition(List.of(pair.peerAddress() + "/32", "2001:db8::/32"), null), target);
        Injection injection = attack.inject(runId,
                new NetworkPartition(List.of(pair.peerAddress() + "/32", "2001:db8::/32"), null), target);

        // Then: the peer's pings to the victim and the victim's pings to the peer are both lost
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        assertThat(pair.rttMillisFromVictim(10)).isEmpty();
        assertThat(tablesIn(pair.victimName()).lines()).containsExactly("table inet " + NftTableAttack.tableFor(runId));
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(pair.rttMillisFromVictim(10)).hasSize(10);
        assertThat(tablesIn(pair.victimName())).isBlank();
    }

    @Test
    void shouldCutOnlyTheGivenPortsWhenPortsAreNamed() {
        // Given: the peer listens on two ports, the victim on one
        pair.startTcpSinkOnPeer(7001);
        pair.startTcpSinkOnPeer(7002);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.victimConnectsToPeer(7001, 2)).isTrue();

        // When
        Injection injection = attack.inject(UUID.randomUUID(),
                new NetworkPartition(List.of(pair.peerAddress()), List.of(7001)), target);

        // Then
        assertThat(pair.victimConnectsToPeer(7001, 1)).isFalse();
        assertThat(pair.victimConnectsToPeer(7002, 2)).isTrue();
        assertThat(pair.lossPercent(10)).isZero();
        attack.recover(injection);
        assertThat(pair.victimConnectsToPeer(7001, 2)).isTrue();
    }

    static String tablesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "nft", "list", "tables").orThrow().stdout().strip();
    }
}
