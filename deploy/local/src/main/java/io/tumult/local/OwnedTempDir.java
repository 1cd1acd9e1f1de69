package io.tumult.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A temporary directory named after the JVM that owns it ({@code <prefix><pid>-...}), so that the next one created
 * with the same prefix can delete those whose owner died without cleaning up ({@code kill -9}).
 */
record OwnedTempDir(Path path) implements AutoCloseable {

    static OwnedTempDir create(String prefix) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().matches(java.util.regex.Pattern.quote(prefix) + "\\d+-.*"))
                    .filter(d -> {
                        String pid = d.getFileName().toString().substring(prefix.length()).split("-")[0];
                        return ProcessHandle.of(Long.parseLong(pid)).isEmpty();
                    }).forEach(LocalFiles::deleteTree);
        }
        return new OwnedTempDir(Files.createTempDirectory(prefix + ProcessHandle.current().pid() + "-"));
    }

    @Override
    public void close() {
        LocalFiles.deleteTree(path);
    }
}
