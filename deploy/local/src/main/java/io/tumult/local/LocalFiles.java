package io.tumult.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Files the local stack and the trials leave behind. */
public final class LocalFiles {

    private LocalFiles() {
    }

    /**
     * Deletes a directory and everything under it, as far as it can: a temporary directory left behind is harmless,
     * and failing to delete it must not hide a test's own result.
     */
    public static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // left behind in the temporary directory
        }
    }
}
