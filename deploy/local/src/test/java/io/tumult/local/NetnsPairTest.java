package io.tumult.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

@NeedsHostAttacks
class NetnsPairTest {

    @Test
    void shouldConnectTheVictimToThePeerAndRemoveBothOnClose() {
        // Given
        String victim;
        String peer;

        // When
        try (var pair = NetnsPair.create()) {
            victim = pair.victimName();
            peer = pair.peerName();

            // Then: reachable, and a drop rule in the victim is measured as loss by the peer
            assertThat(pair.lossPercent(10)).isZero();
            ProcessRunner.runWithInput("table inet t {\n chain in { type filter hook input priority 0; drop; }\n}\n",
                    "ip", "netns", "exec", victim, "nft", "-f", "-").orThrow();
            assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        }

        // Then
        assertThat(NetnsPair.exists(victim)).isFalse();
        assertThat(NetnsPair.exists(peer)).isFalse();
    }
}
