package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * Keeps a filesystem busy with {@code stress-ng --hdd} workers writing, reading and removing files in a directory the
 * run owns ({@code <path>/tumult-<runId>}), in a cgroup of the run inside the target cgroup. Reverting stops the
 * workers and removes the directory.
 *
 * @param path an existing directory on the filesystem to stress; must be within the executor's allowed paths
 * @param workers how many writers, 1 to 64; absent means 1
 * @param bytes how large a file each writer cycles through, in bytes, at least 1 MiB; absent means 64 MiB
 */
public record IoStress(String path, Integer workers, Long bytes) implements AttackSpec {

    public static final String KIND = "io-stress";

    public IoStress {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
        workers = workers == null ? 1 : workers;
        bytes = bytes == null ? 64L * 1024 * 1024 : bytes;
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be within 1..64: " + workers);
        }
        if (bytes < 1024 * 1024) {
            throw new IllegalArgumentException("bytes must be at least 1 MiB: " + bytes);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
