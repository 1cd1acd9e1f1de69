package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkDuplicate;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** A real dup table on the victim's interface, measured by the duplicate replies its pings get. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkDuplicateAttackTest {

    private final NetworkDuplicateAttack attack = new NetworkDuplicateAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldDuplicateEveryPacketOnceUntilReverted() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.duplicateRepliesFromVictim(20)).isZero();
        UUID runId = UUID.randomUUID();

        // When: injected twice, it must replace, not stack
        attack.inject(runId, new NetworkDuplicate(100, null), target);
        Injection injection = attack.inject(runId, new NetworkDuplicate(100, "eth0"), target);

        // Then: each echo request goes out twice, so each gets exactly one duplicate reply (ping may exit on the
        // last original reply, before its duplicate arrives)
        assertThat(pair.duplicateRepliesFromVictim(20)).isBetween(19, 20);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.duplicateRepliesFromVictim(20)).isZero();
        assertThat(tablesIn(pair.victimName())).isBlank();
    }

    @Test
    void shouldDuplicateAboutTheRequestedShare() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkDuplicate(50, null), target);

        // Then
        int duplicates = pair.duplicateRepliesFromVictim(200);
        attack.recover(injection);
        assertThat(duplicates).isBetween(60, 140);
    }

    @Test
    void shouldRefuseAnUnknownInterfaceNamingIt() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        var refused = catchThrowableOfType(AttackException.class,
                () -> attack.plan(UUID.randomUUID(), new NetworkDuplicate(100, "wlan7"), target));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
        assertThat(refused.getMessage()).contains("wlan7").contains("eth0");
        assertThat(tablesIn(pair.victimName())).isBlank();
    }

    private static String tablesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "nft", "list", "tables").orThrow().stdout().strip();
    }
}
