package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.tumult.local.NeedsHostAttacks;
import io.tumult.local.NetnsPair;
import io.tumult.local.ProcessRunner;

/**
 * nftables scripts through the {@code tumult-nft} helper: the rules land in the target namespace (the loss is measured
 * on the victim), never in the executor's, and the helper outlives what would abort libnftables in the JVM.
 */
@NeedsHostAttacks
@ExtendWith(NetnsPair.PerTest.class)
class NftablesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String TABLE = "tumult_00000000000000000000000000nft01";

    private NetnsPair pair;

    @BeforeEach
    void victim(NetnsPair fresh) {
        pair = fresh;
    }

    @Test
    void shouldRunTheScriptInsideTheNamespaceAndComeBackOut() throws Exception {
        // Given
        Netns victim = Netns.named(pair.victimName());
        assertThat(Nftables.shared().execBecause()).isEmpty();

        // When
        var out = victim.nft(TIMEOUT, "table inet " + TABLE + " {\n chain out {\n type filter hook output priority 0;\n"
                + " drop\n }\n}\n");

        // Then
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(pair.lossPercent(10)).isEqualTo(100.0);
        assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).contains(TABLE);
        assertThat(ProcessRunner.run("nft", "list", "tables").orThrow().stdout()).doesNotContain(TABLE);
        assertThat(victim.nft(TIMEOUT, "list tables").stdout()).contains("table inet " + TABLE);
        assertThat(victim.nft(TIMEOUT, "delete table inet " + TABLE).exitCode()).isZero();
        assertThat(pair.lossPercent(10)).isZero();
        assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).isBlank();
    }

    @Test
    void shouldWorkWithMoreDescriptorsOpenThanSelectAllows() throws Exception {
        // Given: this JVM holds more than FD_SETSIZE (1024) descriptors, as a busy executor can
        var held = new java.util.ArrayList<java.io.FileInputStream>();
        try {
            for (int i = 0; i < 1100; i++) {
                held.add(new java.io.FileInputStream("/dev/null"));
            }

            // When
            var out = Netns.named(pair.victimName()).nft(TIMEOUT, "add table inet " + TABLE);

            // Then: done, and the JVM is still here to say so
            assertThat(out.exitCode()).as(out.stderr()).isZero();
            assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).contains(TABLE);
        } finally {
            for (var in : held) {
                in.close();
            }
        }
    }

    @Test
    void shouldStartTheHelperAgainWhenItDies() throws Exception {
        // Given: a running helper, killed
        Netns victim = Netns.named(pair.victimName());
        assertThat(victim.nft(TIMEOUT, "list tables").exitCode()).isZero();
        ProcessHandle first = Nftables.shared().helperHandle().orElseThrow();
        first.destroyForcibly();
        first.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);

        // When
        var out = victim.nft(TIMEOUT, "add table inet " + TABLE);

        // Then
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(NetworkPartitionAttackTest.tablesIn(pair.victimName())).contains(TABLE);
        assertThat(Nftables.shared().helperHandle().orElseThrow().pid()).isNotEqualTo(first.pid());
        assertThat(Nftables.shared().execBecause()).isEmpty();
    }

    @Test
    void shouldAnswerAsNftWouldWhenTheScriptFails() {
        // When
        var out = Netns.named(pair.victimName()).nft(TIMEOUT, "delete table inet " + TABLE);

        // Then
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.stderr()).contains("No such file or directory").contains(TABLE);
    }

    @Test
    void shouldRefuseTheExecutorsOwnNamespace() {
        // When
        var out = Netns.ofPod("own", Path.of("/proc/self/ns/net")).nft(TIMEOUT, "add table inet " + TABLE);

        // Then
        assertThat(out.exitCode()).isNotZero();
        assertThat(out.stderr()).contains("executor's own network namespace");
        assertThat(ProcessRunner.run("nft", "list", "tables").orThrow().stdout()).doesNotContain(TABLE);
    }

    @Test
    void shouldSayGoneOnceAPodsNamespaceIsGone() {
        // Given: known by inode, as a pod's
        Netns victim = Netns.ofPod("pod", Path.of("/run/netns", pair.victimName()));
        pair.close(); // closed again after the test: harmless

        // When
        var out = victim.nft(TIMEOUT, "add table inet " + TABLE);

        // Then
        assertThat(out.exitCode()).isEqualTo(Netns.GONE);
        assertThat(out.stderr()).contains("is gone");
    }
}
