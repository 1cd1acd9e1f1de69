package io.tumult.schemas.v1;

import java.util.Objects;

/**
 * Fills a filesystem with one file the run owns ({@code <path>/tumult-<runId>.fill}), allocated by a child process in
 * a cgroup of the run inside the target cgroup. Reverting always removes the file. Exactly one of {@code bytes} and
 * {@code percent}.
 *
 * @param path an existing directory on the filesystem to fill; must be within the executor's allowed paths
 * @param bytes the file's size in bytes; or null
 * @param percent the file's size as a share of the filesystem's size, 1 to 100, never more than is free; or null
 */
public record DiskFill(String path, Long bytes, Integer percent) implements AttackSpec {

    public static final String KIND = "disk-fill";

    public DiskFill {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
        if ((bytes == null) == (percent == null)) {
            throw new IllegalArgumentException("disk-fill takes exactly one of bytes and percent");
        }
        if (bytes != null && bytes < 1) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        if (percent != null && (percent < 1 || percent > 100)) {
            throw new IllegalArgumentException("percent must be within 1..100: " + percent);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
