package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkLatency;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * Real delay measured as the victim's ping RTT. On this machine's kernel (no netem) that is the NFQUEUE fallback: a
 * real iptables rule in the victim and the real helper holding its packets.
 */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkLatencyAttackTest {

    private final NetworkLatencyAttack attack = new NetworkLatencyAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;
    private Injection injection;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @AfterEach
    void revert() {
        if (injection != null) {
            attack.recover(injection); // also stops the helper, which outlives a deleted namespace (closed after this)
        }
    }

    @Test
    void shouldDelayTheVictimsPacketsByTheDelayUntilReverted() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);

        // When
        injection = attack.inject(UUID.randomUUID(),
                new NetworkLatency(Duration.ofMillis(100), Duration.ofMillis(10), null), target);

        // Then: the median RTT is the delay (plus scheduling on a loaded machine), and the node's mechanism is named
        assertThat(injection.handle().get("mechanism")).isEqualTo(
                NetworkLatencyAttack.kernelHasNetem() ? NetworkLatencyAttack.NETEM : NetworkLatencyAttack.NFQUEUE);
        assertThat(pair.medianRttMillisFromVictim(30)).isBetween(95.0, 170.0);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);
        assertThat(rulesIn(pair.victimName())).doesNotContain("tumult_");
        assertThat(helpersOf(injection)).isZero();
    }

    @Test
    void shouldReplaceTheDelayWhenInjectedAgainNotAddIt() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        UUID runId = UUID.randomUUID();
        attack.inject(runId, new NetworkLatency(Duration.ofMillis(300), null, null), target);

        // When
        injection = attack.inject(runId, new NetworkLatency(Duration.ofMillis(60), null, "eth0"), target);

        // Then
        assertThat(pair.medianRttMillisFromVictim(20)).isBetween(55.0, 130.0);
        assertThat(rulesIn(pair.victimName()).lines().filter(l -> l.contains("tumult_")).count())
                .isLessThanOrEqualTo(1);
        assertThat(helpersOf(injection)).isLessThanOrEqualTo(1);
    }

    @Test
    void shouldBeRevertedByItsUndoCommandsAloneAsAGuardWould() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        injection = attack.inject(UUID.randomUUID(), new NetworkLatency(Duration.ofMillis(150), null, null), target);
        assertThat(pair.medianRttMillisFromVictim(10)).isGreaterThan(140);

        // When: the plain commands, run twice and without this attack object, as a guard process would
        for (int i = 0; i < 2; i++) {
            injection.undo().forEach(command -> ProcessRunner.run(command.toArray(String[]::new)));
        }

        // Then
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);
        assertThat(rulesIn(pair.victimName())).doesNotContain("tumult_");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> helpersOf(injection) == 0);
    }

    @Test
    void shouldLetPacketsPassUndelayedWhenTheHelperDies() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        injection = attack.inject(UUID.randomUUID(), new NetworkLatency(Duration.ofMillis(200), null, null), target);
        if (!injection.handle().get("mechanism").equals(NetworkLatencyAttack.NFQUEUE)) {
            return; // netem has no helper to die
        }

        // When
        ProcessRunner.run("pkill", "-KILL", "-f", NetworkLatencyAttack.helperPattern(injection.handle().get("tag")));

        // Then: --queue-bypass lets the victim's packets through while the rule is still there
        assertThat(rulesIn(pair.victimName())).contains(injection.handle().get("tag"));
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);
    }

    @Test
    void shouldRefuseNamingWhatIsMissingWhenNeitherNetemNorTheFallbackCanWork(@TempDir Path cache) {
        // Given: a node without netem whose compiler is missing
        var withoutCompiler = new NetworkLatencyAttack(TestExecutorConfig.defaults(), () -> false,
                HelperBinary.delayQueue("tumult-no-such-cc", cache));
        ResolvedTarget target = withoutCompiler.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        var refused = catchThrowableOfType(AttackException.class, () -> withoutCompiler.plan(UUID.randomUUID(),
                new NetworkLatency(Duration.ofMillis(100), null, null), target));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.PERMISSION_DENIED);
        assertThat(refused.getMessage()).contains("tumult-no-such-cc").contains("netem");
        assertThat(rulesIn(pair.victimName())).doesNotContain("tumult_");
    }

    @Test
    void shouldRefuseAnUnknownInterfaceNamingIt() {
        // Given
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        var refused = catchThrowableOfType(AttackException.class, () -> attack.plan(UUID.randomUUID(),
                new NetworkLatency(Duration.ofMillis(100), null, "eth9"), target));

        // Then
        assertThat(refused.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
        assertThat(refused.getMessage()).contains("eth9");
    }

    private static String rulesIn(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "iptables", "-S", "OUTPUT").stdout();
    }

    private static long helpersOf(Injection injection) {
        String tag = injection.handle().get("tag");
        return ProcessRunner.run("pgrep", "-f", NetworkLatencyAttack.helperPattern(tag)).stdout().lines().count();
    }

}
