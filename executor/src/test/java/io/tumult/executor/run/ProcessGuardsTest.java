package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;

/** Guards armed from spares run exactly the undo commands they were given, arguments intact, at the deadline. */
class ProcessGuardsTest {

    @TempDir
    Path dir;

    @Test
    void shouldRunEachGuardsOwnUndoWithItsArgumentsIntactAtTheDeadline() throws IOException {
        // Given: two guards in a row (the first from the spare started ahead, the second from its replacement or
        // started on demand), each undo writing an argument with a quote, a newline and a dollar sign to a file
        var guards = new ProcessGuards(InstantSource.system(), dir.resolve("guards.log"));
        String tricky = "it's\nacross $HOME lines";
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");

        // When
        guards.arm(entry(List.of("sh", "-c", "printf '%s' \"$1\" > \"$2\"", "undo", tricky, first.toString())));
        guards.arm(entry(List.of("sh", "-c", "printf '%s' \"$1\" > \"$2\"", "undo", tricky, second.toString())));

        // Then
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(first) && Files.exists(second)
                && Files.readString(first).equals(tricky) && Files.readString(second).equals(tricky));
    }

    @Test
    void shouldStandDownWithoutRunningTheUndoWhenDisarmed() throws Exception {
        // Given
        var guards = new ProcessGuards(InstantSource.system(), dir.resolve("guards.log"));
        Path undone = dir.resolve("undone");
        Guards.Guard guard = guards.arm(new JournalEntry(UUID.randomUUID(), "guard-test", Instant.now().plusSeconds(2),
                "executor-test", injection(List.of("touch", undone.toString()))));

        // When
        guard.disarm();

        // Then: past the deadline, nothing ran
        Thread.sleep(3_000); // waiting out the deadline: there is no event for something that must not happen
        assertThat(undone).doesNotExist();
    }

    private static JournalEntry entry(List<String> undo) {
        return new JournalEntry(UUID.randomUUID(), "guard-test", Instant.now().plusMillis(300), "executor-test",
                injection(undo));
    }

    private static Injection injection(List<String> undo) {
        return new Injection("test", new ResolvedTarget("test", "victim"), Map.of(), List.of(undo));
    }
}
