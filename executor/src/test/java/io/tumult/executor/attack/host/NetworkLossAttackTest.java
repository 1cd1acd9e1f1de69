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
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** The attack measured on its victim: a real nftables table in a real namespace, loss seen by a real ping. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkLossAttackTest {

    private final NetworkLossAttack attack = new NetworkLossAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldCutTheVictimOffAndRestoreItOnRecover() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.lossPercent(20)).isZero();

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkLoss(100), target);

        // Then
        assertThat(pair.lossPercent(20)).isEqualTo(100.0);
        attack.recover(injection);
        assertThat(pair.lossPercent(20)).isZero();
        assertThat(tablesIn(pair.victimName())).isBlank();
    }

    @Test
    void shouldInjectOnceWhenInjectedTwiceAndTolerateARepeatedRecover() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        UUID runId = UUID.randomUUID();

        // When
        attack.inject(runId, new NetworkLoss(100), target);
        Injection injection = attack.inject(runId, new NetworkLoss(100), target);

        // Then
        assertThat(tablesIn(pair.victimName()).lines()).containsExactly("table inet " + NetworkLossAttack.tableFor(runId));
        attack.recover(injection);
        attack.recover(injection);
        assertThat(tablesIn(pair.victimName())).isBlank();
        assertThat(pair.lossPercent(10)).isZero();
    }

    @Test
    void shouldDropAboutTheRequestedShareOfPackets() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkLoss(50), target);

        // Then: a ping and its reply each cross the rule, so a round trip survives with p = 0.5 * 0.5
        double loss = pair.lossPercent(200);
        attack.recover(injection);
        assertThat(loss).isBetween(55.0, 95.0);
    }

    @Test
    void shouldRefuseTheHostNetworkNamespaceBeforeActing() {
        // Given: a name for this JVM's network namespace, the one with the machine's real interfaces
        String hostAlias = NetnsPair.PREFIX + ProcessHandle.current().pid() + "-0-host";
        ProcessRunner.run("ip", "netns", "attach", hostAlias, Long.toString(ProcessHandle.current().pid())).orThrow();
        try {
            // When
            var refused = catchThrowableOfType(AttackException.class,
                    () -> attack.resolve(new NetworkNamespaceTarget(hostAlias)));

            // Then
            assertThat(refused.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
            assertThat(refused.getMessage()).contains("never touches");
        } finally {
            ProcessRunner.run("ip", "netns", "delete", hostAlias);
        }
    }

    @Test
    void shouldRefuseAMissingNamespace() {
        // When
        var refused = catchThrowableOfType(AttackException.class,
                () -> attack.resolve(new NetworkNamespaceTarget("tumult-no-such-namespace")));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
    }

    @Test
    void shouldRefuseANamespaceOutsideTheAllowedPrefixesBeforeActing() {
        // Given
        var confined = new NetworkLossAttack(TestExecutorConfig.defaults().confinedTo("staging-", "chaos-"));
        ResolvedTarget target = new ResolvedTarget("network-namespace", pair.victimName());

        // When
        var refusedResolve = catchThrowableOfType(AttackException.class,
                () -> confined.resolve(new NetworkNamespaceTarget(pair.victimName())));
        var refusedInject = catchThrowableOfType(AttackException.class,
                () -> confined.inject(UUID.randomUUID(), new NetworkLoss(100), target));

        // Then
        assertThat(refusedResolve.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(refusedResolve.getMessage()).contains("allowed prefix");
        assertThat(refusedInject.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(tablesIn(pair.victimName())).isBlank();
        assertThat(pair.lossPercent(5)).isZero();
    }

    private static String tablesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "nft", "list", "tables").orThrow().stdout().strip();
    }
}
