package io.tumult.schemas.v1;

/**
 * Holds memory with {@code stress-ng --vm} workers that keep their pages resident, in a cgroup of the run inside the
 * target cgroup, so the memory is charged against the target's limit. Exactly one of {@code bytes} and
 * {@code percent}.
 *
 * @param bytes how much memory to hold, in bytes; or null
 * @param percent how much to hold as a share of the target cgroup's memory limit (of the host's memory when the
 *        target has no limit), 1 to 100; or null
 */
public record MemoryStress(Long bytes, Integer percent) implements AttackSpec {

    public static final String KIND = "memory-stress";

    public MemoryStress {
        if ((bytes == null) == (percent == null)) {
            throw new IllegalArgumentException("memory-stress takes exactly one of bytes and percent");
        }
        if (bytes != null && bytes < 4096) {
            throw new IllegalArgumentException("bytes must be at least 4096: " + bytes);
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
