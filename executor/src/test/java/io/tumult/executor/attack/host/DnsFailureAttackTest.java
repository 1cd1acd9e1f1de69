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
import io.tumult.schemas.v1.DnsFailure;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** A real DNS server on the peer, real lookups from the victim, a real reject table in between. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class DnsFailureAttackTest {

    private final DnsFailureAttack attack = new DnsFailureAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldFailTheVictimsLookupsUntilReverted() {
        // Given
        pair.startDnsServerOnPeer();
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.victimResolves("db.shop.test", 2)).isTrue();
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new DnsFailure(), target);
        Injection injection = attack.inject(runId, new DnsFailure(), target);

        // Then: lookups fail while other traffic to the same server flows
        assertThat(pair.victimResolves("db.shop.test", 2)).isFalse();
        assertThat(pair.rttMillisFromVictim(5)).hasSize(5);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.victimResolves("db.shop.test", 2)).isTrue();
        assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).isBlank();
    }
}
