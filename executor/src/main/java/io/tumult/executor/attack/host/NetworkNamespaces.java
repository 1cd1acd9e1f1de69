package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.Target;

/**
 * Resolves named network namespaces ({@code /run/netns/<name>}) and refuses, before any action, the ones Tumult must
 * never touch (the host's, PID 1's, and the executor's own) and those outside the configured name prefixes. Also
 * checks that this process can act at all (root capabilities, the commands each kind runs installed).
 */
final class NetworkNamespaces {

    static final Path NETNS_DIR = Path.of("/run/netns");
    /** What {@code ip netns add} accepts, minus anything that could walk out of {@link #NETNS_DIR}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}");
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    private NetworkNamespaces() {
    }

    /** The named namespace, refused when missing, the host's, or outside {@code allowedPrefixes}. */
    private static List<ResolvedTarget> resolve(NetworkNamespaceTarget target, Optional<List<String>> allowedPrefixes) {
        String name = target.name();
        if (!NAME.matcher(name).matches() || name.equals("..")) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no network namespace named " + name);
        }
        Path ns = NETNS_DIR.resolve(name);
        if (!Files.exists(ns)) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no network namespace named " + name);
        }
        checkNotHost(ns, "network namespace " + name);
        if (allowedPrefixes.isPresent() && allowedPrefixes.get().stream().noneMatch(name::startsWith)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "network namespace " + name
                    + " does not start with an allowed prefix " + allowedPrefixes.get()
                    + " (tumult.executor.allowed-namespace-prefixes)");
        }
        return List.of(new ResolvedTarget(NetworkNamespaceTarget.KIND, name));
    }

    /**
     * Refuses {@code ns} when it is the executor's own network namespace or PID 1's (the host's: node agents run with
     * {@code hostPID}, and a host executor sees the host's init). Where PID 1's cannot be read, a named namespace is
     * still taken (PID 1 then lives in a user namespace we do not own, and its namespace could not have been given a
     * name we can enter), a pod's is refused: fail safe.
     *
     * @param what how the namespace is named in the refusal
     */
    static void checkNotHost(Path ns, String what) {
        checkNotHost(ns, what, false);
    }

    /** {@link #checkNotHost(Path, String)}; {@code hostMustBeKnown}: refuse when PID 1's namespace cannot be read. */
    static void checkNotHost(Path ns, String what, boolean hostMustBeKnown) {
        Path init = Path.of("/proc/1/ns/net");
        if (hostMustBeKnown && !Files.isReadable(init)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot read the host's network namespace (" + init
                    + ") to make sure " + what + " is not it; the node agent needs hostPID and SYS_PTRACE");
        }
        if (sameNamespace(ns, Path.of("/proc/self/ns/net")) || (Files.isReadable(init) && sameNamespace(ns, init))) {
            throw new AttackException(Reason.PERMISSION_DENIED, what
                    + " is the host's or the executor's own network namespace; Tumult never touches it");
        }
    }

    /** The named namespace {@code target} is; refuses (UNSUPPORTED_KIND) any other kind of target for {@code kind}. */
    static NetworkNamespaceTarget namespaceOf(String kind, Target target) {
        if (!(target instanceof NetworkNamespaceTarget ns)) {
            throw new AttackException(Reason.UNSUPPORTED_KIND,
                    kind + " acts on network-namespace targets, not " + target.kind());
        }
        return ns;
    }

    /**
     * {@link #resolve(NetworkNamespaceTarget, Optional)} for {@code kind}, which runs {@code tools} inside the namespace
     * (besides {@code nsenter} and {@code ip}, always needed).
     */
    static List<ResolvedTarget> resolve(String kind, List<String> tools, NetworkNamespaceTarget target,
            Optional<List<String>> allowedPrefixes) {
        var resolved = resolve(target, allowedPrefixes);
        checkCanAct(kind, tools);
        return resolved;
    }

    /**
     * Refuses, with a message an operator can act on, when this process could not inject (or revert) {@code kind} at
     * all: {@code tools} (and {@code nsenter}, {@code ip}) must be installed, and root's capabilities held.
     */
    static void checkCanAct(String kind, List<String> tools) {
        var needed = new java.util.LinkedHashSet<>(List.of("nsenter", "ip"));
        needed.addAll(tools);
        for (String tool : needed) {
            if (!HostCommand.onPath(tool)) {
                throw new AttackException(Reason.PERMISSION_DENIED,
                        kind + " needs the '" + tool + "' command, which is not on this executor's PATH");
            }
        }
        long caps = effectiveCapabilities();
        if ((caps & (1L << CAP_NET_ADMIN)) == 0 || (caps & (1L << CAP_SYS_ADMIN)) == 0) {
            throw new AttackException(Reason.PERMISSION_DENIED, kind + " needs root (CAP_NET_ADMIN to change "
                    + "the namespace's network, CAP_SYS_ADMIN to enter it); this executor runs without them");
        }
    }

    private static long effectiveCapabilities() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).strip(), 16)).findFirst()
                    .orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0L; // cannot tell: fail safe
        }
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
