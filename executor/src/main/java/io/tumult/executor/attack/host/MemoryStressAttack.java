package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Singleton;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.MemoryStress;

/**
 * {@code memory-stress}: one {@code stress-ng --vm} worker that touches its pages once and then holds them, in the
 * run's cgroup inside the target cgroup, so the memory is charged against the target's limit (and, past it, the
 * kernel reclaims or OOM-kills within the target, never outside it). A percentage is of the target's memory limit,
 * or of the host's memory when the target has none. Measured as the run cgroup's memory usage.
 */
@Singleton
public class MemoryStressAttack extends CgroupStressAttack<MemoryStress> {

    static final String BYTES = "bytes";

    MemoryStressAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<MemoryStress> specType() {
        return MemoryStress.class;
    }

    @Override
    String kindName() {
        return MemoryStress.KIND;
    }

    @Override
    List<String> controllers() {
        return List.of("memory");
    }

    @Override
    List<String> tools() {
        return List.of("stress-ng");
    }

    @Override
    Map<String, String> planExtra(UUID runId, MemoryStress spec, ResolvedTarget target) {
        long bytes = spec.bytes() != null ? spec.bytes()
                : cgroups().memoryLimit(target.name()).orElseGet(MemoryStressAttack::hostMemory) * spec.percent() / 100;
        return Map.of(BYTES, Long.toString(bytes));
    }

    @Override
    List<String> command(MemoryStress spec, Injection injection) {
        return List.of("stress-ng", "--vm", "1", "--vm-bytes", injection.handle().get(BYTES), "--vm-keep",
                "--vm-populate", "--vm-hang", "0", "--timeout", "0");
    }

    private static long hostMemory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new AttackException(Reason.INTERNAL, "cannot read the host's memory size: " + e.getMessage(), e);
        }
    }
}
