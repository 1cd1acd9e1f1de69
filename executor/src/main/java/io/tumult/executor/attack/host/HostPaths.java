package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Checks a directory that {@code disk-fill} or {@code io-stress} is to write in against the allowed paths, with
 * symbolic links resolved on both sides, before any action. A pod target will pass the directory as seen from the
 * host ({@code /proc/<pid>/root/<path>}).
 */
final class HostPaths {

    private HostPaths() {
    }

    /** The real path of {@code path}, an existing directory under one of {@code allowed}. */
    static Path allowedDirectory(String kind, String path, Optional<List<String>> allowed) {
        if (allowed.isEmpty() || allowed.get().isEmpty()) {
            throw new AttackException(Reason.PERMISSION_DENIED, kind + " may not write in " + path
                    + ": no path is allowed on this executor (tumult.executor.allowed-paths is unset)");
        }
        Path real;
        try {
            real = Path.of(path).toRealPath();
        } catch (IOException e) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no directory " + path + " for " + kind);
        }
        if (!Files.isDirectory(real)) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, path + " is not a directory, " + kind + " needs one");
        }
        for (String root : allowed.get()) {
            try {
                if (real.startsWith(Path.of(root).toRealPath())) {
                    return real;
                }
            } catch (IOException e) {
                // an allowed path that does not exist allows nothing
            }
        }
        throw new AttackException(Reason.PERMISSION_DENIED, kind + " may not write in " + path + " (" + real
                + "): outside the allowed paths " + allowed.get() + " (tumult.executor.allowed-paths)");
    }
}
