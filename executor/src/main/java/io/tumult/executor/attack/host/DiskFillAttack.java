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
import io.tumult.schemas.v1.DiskFill;

/**
 * {@code disk-fill}: allocates one file the run owns, {@code <path>/tumult-<runId>.fill}, with {@code fallocate} run
 * in the run's cgroup inside the target cgroup (so a tmpfs's pages are charged to the target). The path must be in the
 * executor's allowed paths. Reverting, and the undo, always remove the file. A percentage is of the filesystem's
 * size, and never more than is free.
 */
@Singleton
public class DiskFillAttack extends CgroupStressAttack<DiskFill> {

    static final String FILE = "file";
    static final String BYTES = "bytes";

    DiskFillAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<DiskFill> specType() {
        return DiskFill.class;
    }

    @Override
    String kindName() {
        return DiskFill.KIND;
    }

    @Override
    List<String> controllers() {
        return List.of("memory");
    }

    @Override
    List<String> tools() {
        return List.of("fallocate", "rm");
    }

    @Override
    boolean longRunning() {
        return false;
    }

    @Override
    Map<String, String> planExtra(UUID runId, DiskFill spec, ResolvedTarget target) {
        Path dir = HostPaths.allowedDirectory(kindName(), spec.path(), config.allowedPaths());
        long bytes;
        if (spec.bytes() != null) {
            bytes = spec.bytes();
        } else {
            try {
                var store = Files.getFileStore(dir);
                bytes = Math.min(store.getTotalSpace() / 100 * spec.percent(), store.getUsableSpace());
            } catch (IOException e) {
                throw new AttackException(Reason.TARGET_NOT_FOUND, "cannot read the filesystem of " + dir + ": "
                        + e.getMessage(), e);
            }
        }
        if (bytes < 1) {
            throw new AttackException(Reason.PERMISSION_DENIED, "the filesystem of " + dir + " is already full");
        }
        return Map.of(FILE, dir.resolve("tumult-" + runId + ".fill").toString(), BYTES, Long.toString(bytes));
    }

    @Override
    List<List<String>> undoExtra(Map<String, String> handle) {
        return List.of(List.of("rm", "-f", handle.get(FILE)));
    }

    @Override
    List<String> command(DiskFill spec, Injection injection) {
        return List.of("fallocate", "-l", injection.handle().get(BYTES), injection.handle().get(FILE));
    }
}
