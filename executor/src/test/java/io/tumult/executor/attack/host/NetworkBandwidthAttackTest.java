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
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkBandwidth;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/** Real token buckets on the victim's veth and on an IFB inside it, measured by timed TCP transfers both ways. */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NetworkBandwidthAttackTest {

    private static final int BYTES = 1_500_000;
    private static final double LIMIT = 8_000_000; // 8mbit: 1.5 MB take about 1.5 s

    private final NetworkBandwidthAttack attack = new NetworkBandwidthAttack(TestExecutorConfig.defaults());
    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldLimitBothDirectionsToTheRateUntilReverted() {
        // Given
        var peerSink = pair.startTcpSinkOnPeer(7001);
        var victimSink = pair.startTcpSinkOnVictim(7002);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        UUID runId = UUID.randomUUID();

        // When: injected twice, it must replace, not stack
        attack.inject(runId, new NetworkBandwidth("8mbit", null, null), target);
        Injection injection = attack.inject(runId, new NetworkBandwidth("8mbit", "both", "eth0"), target);

        // Then: both directions run at about the limit (TCP/IP headers take a few percent of it)
        double egress = pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20);
        double ingress = pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20);
        assertThat(egress).isBetween(0.5 * LIMIT, 1.15 * LIMIT);
        assertThat(ingress).isBetween(0.5 * LIMIT, 1.15 * LIMIT);
        attack.recover(injection);
        attack.recover(injection);
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(links(pair.victimName())).doesNotContain("tmb");
        assertThat(qdiscs(pair.victimName())).doesNotContain("tbf").doesNotContain("ingress");
    }

    @Test
    void shouldLimitOnlyEgressWhenAskedTo() {
        // Given
        var peerSink = pair.startTcpSinkOnPeer(7001);
        var victimSink = pair.startTcpSinkOnVictim(7002);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);

        // When
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkBandwidth("8mbit", "egress", null), target);

        // Then
        double egress = pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20);
        double ingress = pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20);
        attack.recover(injection);
        assertThat(egress).isBetween(0.5 * LIMIT, 1.15 * LIMIT);
        assertThat(ingress).isGreaterThan(5 * LIMIT);
        assertThat(links(pair.victimName())).doesNotContain("tmb");
    }

    @Test
    void shouldBeRevertedByItsUndoCommandsAloneAsAGuardWould() {
        // Given
        var peerSink = pair.startTcpSinkOnPeer(7001);
        var victimSink = pair.startTcpSinkOnVictim(7002);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0);
        Injection injection = attack.inject(UUID.randomUUID(), new NetworkBandwidth("8mbit", "both", null), target);

        // When: the plain commands, run twice and without this attack object, as a guard process would
        for (int i = 0; i < 2; i++) {
            injection.undo().forEach(command -> ProcessRunner.run(command.toArray(String[]::new)));
        }

        // Then
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(links(pair.victimName())).doesNotContain("tmb");
        assertThat(qdiscs(pair.victimName())).doesNotContain("tbf").doesNotContain("ingress");
    }

    private static String links(String namespace) {
        return ProcessRunner.run("ip", "-n", namespace, "-o", "link", "show").orThrow().stdout();
    }

    private static String qdiscs(String namespace) {
        return ProcessRunner.run("ip", "netns", "exec", namespace, "tc", "qdisc", "show").orThrow().stdout();
    }
}
