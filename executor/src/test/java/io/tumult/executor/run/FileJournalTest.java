package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;

/** The journal's files: what a restarted executor reads back, and what it must never share. */
class FileJournalTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadBackEveryEntryAfterReopeningAndForgetRemovedOnes() {
        // Given
        var kept = entry("shop-1");
        var removed = entry("shop-2");
        try (var journal = new FileJournal(dir)) {
            journal.record(kept);
            journal.record(removed);
            journal.remove(removed);
        }

        // When: a new process opens it
        try (var reopened = new FileJournal(dir)) {
            // Then
            assertThat(reopened.entries()).containsExactly(kept);
        }
    }

    @Test
    void shouldRefuseASecondJournalOnTheSameDirectory() {
        try (var first = new FileJournal(dir)) {
            assertThatThrownBy(() -> new FileJournal(dir)).hasMessageContaining("in use by another executor");
        }
    }

    @Test
    void shouldDropAHalfWrittenEntryLeftByACrash() throws IOException {
        // Given: a temp file that was never renamed into place
        Files.writeString(dir.resolve(".tmp-" + UUID.randomUUID() + "-0.json"), "{\"runId\":");

        // When
        try (var journal = new FileJournal(dir)) {
            // Then
            assertThat(journal.entries()).isEmpty();
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".lock");
            }
        }
    }

    private static JournalEntry entry(String namespace) {
        var injection = new Injection("network-loss", new ResolvedTarget("network-namespace", namespace),
                Map.of("namespace", namespace, "table", "tumult_x"),
                List.of(List.of("ip", "netns", "exec", namespace, "nft", "delete", "table", "inet", "tumult_x")));
        return new JournalEntry(UUID.randomUUID(), "exp", Instant.parse("2026-12-02T03:00:00Z"), "executor-a",
                injection);
    }
}
