package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tumult.local.ProcessRunner;

/** A small tmpfs mounted in a private temporary directory, so a test fills it and never the real disk. */
final class SmallTmpfs implements AutoCloseable {

    private final Path dir;

    private SmallTmpfs(Path dir) {
        this.dir = dir;
    }

    static SmallTmpfs mount(int mebibytes) {
        Path dir;
        try {
            dir = Files.createTempDirectory("tumult-test-" + ProcessHandle.current().pid() + "-fs-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        var fs = new SmallTmpfs(dir);
        try {
            ProcessRunner.run("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m,mode=700", "tumult-test", dir.toString())
                    .orThrow();
        } catch (RuntimeException e) {
            fs.close();
            throw e;
        }
        return fs;
    }

    Path dir() {
        return dir;
    }

    long usable() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ProcessRunner.run("umount", "-l", dir.toString());
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + dir, e);
        }
    }
}
