package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.LeftoverSweeper.Swept;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;
import io.tumult.schemas.v1.NetworkBandwidth;
import io.tumult.schemas.v1.NetworkLatency;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * Traffic-control faults left behind without a journal (an executor's journal lost, or another executor's), found
 * by their marker table and removed by the start-up sweep; measured on the victims, before and after.
 */
@NeedsHostAttacks
class TrafficControlLeftoversTest {

    private static final int BYTES = 1_500_000;
    private static final double LIMIT = 8_000_000;

    private final NetworkBandwidthAttack bandwidth = new NetworkBandwidthAttack(TestExecutorConfig.defaults());
    private final NetworkLatencyAttack latency = new NetworkLatencyAttack(TestExecutorConfig.defaults());
    private final List<NetnsPair> pairs = new ArrayList<>();
    private final List<Injection> toRecover = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        try {
            for (Injection injection : toRecover) {
                latency.recover(injection); // stops a helper, which would outlive a deleted namespace
            }
        } finally {
            pairs.forEach(NetnsPair::close);
        }
    }

    @Test
    void shouldRemoveABandwidthLimitThatNoActiveRunExplains() {
        // Given: a limit both ways, then forgotten (no journal, no revert)
        NetnsPair pair = pair();
        var peerSink = pair.startTcpSinkOnPeer(7001);
        var victimSink = pair.startTcpSinkOnVictim(7002);
        // a run id starting with 0: tc prints the handle 0abc: as abc:, which the sweep must still recognise
        UUID left = UUID.fromString("0" + UUID.randomUUID().toString().substring(1));
        bandwidth.inject(left, new NetworkBandwidth("8mbit", "both", null),
                bandwidth.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0));
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20)).isLessThan(1.15 * LIMIT);
        assertThat(pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20)).isLessThan(1.15 * LIMIT);

        // When: a new executor confined to the victim's namespace sweeps at start-up
        List<Swept> swept = sweeperFor(pair).sweep(id -> false);

        // Then: every object is named for its run, and the victim runs at full speed both ways
        assertThat(swept).allSatisfy(s -> assertThat(s.runId()).contains(left)).extracting(Swept::what)
                .anySatisfy(w -> assertThat(w).startsWith("root qdisc"))
                .anySatisfy(w -> assertThat(w).startsWith("ingress redirect"))
                .anySatisfy(w -> assertThat(w).startsWith("IFB device tmb"))
                .anySatisfy(w -> assertThat(w).startsWith("nftables table inet tumult_"));
        assertThat(pair.throughputBitsPerSecond(true, peerSink, 7001, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(pair.throughputBitsPerSecond(false, victimSink, 7002, BYTES, 20)).isGreaterThan(5 * LIMIT);
        assertThat(in(pair, "ip", "-o", "link", "show")).doesNotContain("tmb");
        assertThat(in(pair, "nft", "list", "tables")).doesNotContain("tumult_");
    }

    @Test
    void shouldRemoveADelayThatNoActiveRunExplainsAndKeepAnActiveRunsDelay() {
        // Given: a delay left in one namespace, and an active run's delay in another
        NetnsPair leftPair = pair();
        NetnsPair activePair = pair();
        UUID left = UUID.randomUUID();
        UUID active = UUID.randomUUID();
        toRecover.add(latency.inject(left, new NetworkLatency(Duration.ofMillis(150), null, null),
                latency.resolve(new NetworkNamespaceTarget(leftPair.victimName())).get(0)));
        toRecover.add(latency.inject(active, new NetworkLatency(Duration.ofMillis(150), null, null),
                latency.resolve(new NetworkNamespaceTarget(activePair.victimName())).get(0)));
        assertThat(leftPair.medianRttMillisFromVictim(10)).isGreaterThan(140);

        // When
        List<Swept> swept = sweeperFor(leftPair, activePair).sweep(active::equals);

        // Then: the left run's delay is gone, measured; the active run's stays
        assertThat(swept).isNotEmpty().allSatisfy(s -> assertThat(s.runId()).contains(left));
        assertThat(leftPair.medianRttMillisFromVictim(10)).isLessThan(20);
        assertThat(in(leftPair, "iptables", "-w", "-S", "OUTPUT")).doesNotContain("tumult_");
        assertThat(in(leftPair, "nft", "list", "tables")).doesNotContain("tumult_");
        assertThat(activePair.medianRttMillisFromVictim(10)).isGreaterThan(140);
    }

    @Test
    void shouldLeaveNoMarkerAfterARevert() {
        // Given
        NetnsPair pair = pair();
        Injection limit = bandwidth.inject(UUID.randomUUID(), new NetworkBandwidth("8mbit", "both", null),
                bandwidth.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0));
        Injection delay = latency.inject(UUID.randomUUID(), new NetworkLatency(Duration.ofMillis(50), null, null),
                latency.resolve(new NetworkNamespaceTarget(pair.victimName())).get(0));
        assertThat(in(pair, "nft", "list", "tables")).contains("tumult_");

        // When: one reverted in place, the other by its undo commands alone, as a guard would
        bandwidth.recover(limit);
        for (List<String> undo : delay.undo()) {
            ProcessRunner.run(undo.toArray(String[]::new));
        }

        // Then
        assertThat(in(pair, "nft", "list", "tables")).doesNotContain("tumult_");
        assertThat(pair.medianRttMillisFromVictim(10)).isLessThan(20);
    }

    private NetnsPair pair() {
        NetnsPair pair = NetnsPair.create();
        pairs.add(pair);
        return pair;
    }

    private static NetworkLossAttack sweeperFor(NetnsPair... pairs) {
        return new NetworkLossAttack(TestExecutorConfig.defaults().confinedTo(java.util.Arrays.stream(pairs)
                .map(NetnsPair::victimName).toArray(String[]::new)));
    }

    private static String in(NetnsPair pair, String... command) {
        var argv = new ArrayList<>(List.of("ip", "netns", "exec", pair.victimName()));
        argv.addAll(List.of(command));
        return ProcessRunner.run(argv.toArray(String[]::new)).orThrow().stdout();
    }
}
