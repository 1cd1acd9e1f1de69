package io.tumult.schemas.v1;

/**
 * Keeps CPU cores busy with {@code stress-ng --cpu} workers, started in a cgroup of the run inside the target cgroup,
 * so they compete within the target's CPU limits.
 *
 * @param cores how many workers (each keeps at most one core busy); 0 means one per online core
 * @param load how busy each worker keeps its core, in percent, 1 to 100
 */
public record CpuStress(int cores, int load) implements AttackSpec {

    public static final String KIND = "cpu-stress";

    public CpuStress {
        if (cores < 0 || cores > 1024) {
            throw new IllegalArgumentException("cores must be within 0..1024: " + cores);
        }
        if (load < 1 || load > 100) {
            throw new IllegalArgumentException("load must be within 1..100: " + load);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
