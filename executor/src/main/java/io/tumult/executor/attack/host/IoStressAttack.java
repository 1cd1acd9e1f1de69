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
import io.tumult.schemas.v1.IoStress;

/**
 * {@code io-stress}: {@code stress-ng --hdd} workers writing and reading files in a directory the run owns,
 * {@code <path>/tumult-<runId>}, in the run's cgroup inside the target cgroup (so block IO is accounted, and throttled,
 * within the target's blkio/io limits). The path must be in the executor's allowed paths. Reverting stops the workers
 * and removes the directory with everything in it.
 */
@Singleton
public class IoStressAttack extends CgroupStressAttack<IoStress> {

    static final String DIR = "dir";

    IoStressAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<IoStress> specType() {
        return IoStress.class;
    }

    @Override
    String kindName() {
        return IoStress.KIND;
    }

    @Override
    List<String> controllers() {
        return List.of("blkio");
    }

    @Override
    List<String> tools() {
        return List.of("stress-ng", "rm");
    }

    @Override
    Map<String, String> planExtra(UUID runId, IoStress spec, ResolvedTarget target) {
        Path dir = HostPaths.allowedDirectory(kindName(), spec.path(), config.allowedPaths());
        return Map.of(DIR, dir.resolve("tumult-" + runId).toString());
    }

    @Override
    List<List<String>> undoExtra(Map<String, String> handle) {
        return List.of(List.of("rm", "-rf", "--one-file-system", handle.get(DIR)));
    }

    @Override
    void prepare(IoStress spec, Injection injection) {
        try {
            Files.createDirectories(Path.of(injection.handle().get(DIR)));
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot create " + injection.handle().get(DIR) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    List<String> command(IoStress spec, Injection injection) {
        return List.of("stress-ng", "--hdd", Integer.toString(spec.workers()), "--hdd-bytes",
                Long.toString(spec.bytes()), "--temp-path", injection.handle().get(DIR), "--timeout", "0");
    }
}
