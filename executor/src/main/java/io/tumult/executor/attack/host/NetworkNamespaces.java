package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * Resolves named network namespaces ({@code /run/netns/<name>}) and refuses the ones Tumult must never touch: the
 * host's own (PID 1's) and the executor's own.
 */
final class NetworkNamespaces {

    static final Path NETNS_DIR = Path.of("/run/netns");

    private NetworkNamespaces() {
    }

    static List<ResolvedTarget> resolve(NetworkNamespaceTarget target) {
        Path ns = NETNS_DIR.resolve(target.name()).normalize();
        if (!ns.getParent().equals(NETNS_DIR) || !Files.exists(ns)) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no network namespace named " + target.name());
        }
        // The executor runs in the host's namespace (a DaemonSet with hostNetwork), so its own is the host's.
        // PID 1's is checked too where it can be read; where it cannot, PID 1 lives in a user namespace we do not
        // own, and its namespace could not have been given a name we can enter.
        if (sameNamespace(ns, Path.of("/proc/self/ns/net"))
                || (Files.isReadable(Path.of("/proc/1/ns/net")) && sameNamespace(ns, Path.of("/proc/1/ns/net")))) {
            throw new AttackException(Reason.PERMISSION_DENIED, "network namespace " + target.name()
                    + " is the host's or the executor's own; Tumult never touches it");
        }
        return List.of(new ResolvedTarget(NetworkNamespaceTarget.KIND, target.name()));
    }

    private static boolean sameNamespace(Path a, Path b) {
        try {
            return Files.getAttribute(a, "unix:ino").equals(Files.getAttribute(b, "unix:ino"))
                    && Files.getAttribute(a, "unix:dev").equals(Files.getAttribute(b, "unix:dev"));
        } catch (IOException | UnsupportedOperationException e) {
            // cannot tell: fail safe
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot verify that " + a
                    + " is not the host's network namespace: " + e.getMessage(), e);
        }
    }
}
