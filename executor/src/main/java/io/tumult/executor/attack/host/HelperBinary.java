package io.tumult.executor.attack.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * A small C program Tumult ships as source in this jar and compiles at first use with the host's C compiler, into a
 * directory only this user can write ({@code <tmp>/tumult-helpers-<uid>/<source hash>/}), reused while the source is
 * unchanged:
 * <ul>
 * <li>{@code tumult-delayq}, the userspace half of the latency fallback: holds NFQUEUE packets for the delay, then
 * accepts them (against libnetfilter_queue; without a compiler or the library's headers the run is refused naming what
 * is missing);</li>
 * <li>{@code tumult-nft}, which runs nftables scripts inside network namespaces for {@link Nftables} (against the
 * installed libnftables, no headers needed; without it, {@code nft} is run instead).</li>
 * </ul>
 */
final class HelperBinary {

    static final String DELAYQ = "tumult-delayq";
    static final String NFT = "tumult-nft";

    private final String name;
    private final String purpose;
    private final String needs;
    private final String pkgConfigName;
    private final List<String> fallbackFlags;
    private final String compiler;
    private final Path cacheRoot;
    private Path built;

    private HelperBinary(String name, String purpose, String needs, String pkgConfigName, List<String> fallbackFlags,
            String compiler, Path cacheRoot) {
        this.name = name;
        this.purpose = purpose;
        this.needs = needs;
        this.pkgConfigName = pkgConfigName;
        this.fallbackFlags = fallbackFlags;
        this.compiler = compiler;
        this.cacheRoot = cacheRoot;
    }

    /** {@code tumult-delayq}, built with {@code cc} (gcc or clang), cached under the JVM's temporary directory. */
    static HelperBinary delayQueue() {
        return delayQueue("cc", defaultCache());
    }

    /** {@code tumult-delayq}, built with {@code compiler} into {@code cacheRoot}. */
    static HelperBinary delayQueue(String compiler, Path cacheRoot) {
        return new HelperBinary(DELAYQ, "network-latency without netem", "libnetfilter_queue is missing (Debian: "
                + "libnetfilter-queue-dev)", "libnetfilter_queue", List.of("-lnetfilter_queue", "-lnfnetlink", "-lmnl"),
                compiler, cacheRoot);
    }

    /** {@code tumult-nft}, built with {@code cc} against the installed {@code libnftables.so.1}. */
    static HelperBinary nftables() {
        return new HelperBinary(NFT, "nftables without a process per script",
                "libnftables is missing (Debian: libnftables1)", null, List.of("-l:libnftables.so.1"), "cc",
                defaultCache());
    }

    private static Path defaultCache() {
        return Path.of(System.getProperty("java.io.tmpdir"), "tumult-helpers-" + uid());
    }

    /**
     * The helper's path, building it first if needed.
     *
     * @throws AttackException PERMISSION_DENIED naming the missing compiler or library when it cannot be built
     */
    synchronized Path binary(Duration timeout) {
        if (built != null && Files.isExecutable(built)) {
            return built;
        }
        byte[] source = source();
        Path dir = cacheRoot.resolve(HexFormat.of().formatHex(sha256(source), 0, 8));
        Path binary = dir.resolve(name);
        if (Files.isExecutable(binary)) {
            built = binary;
            return binary;
        }
        if (!HostCommand.onPath(compiler)) {
            throw new AttackException(Reason.PERMISSION_DENIED, purpose + " needs the C compiler '" + compiler
                    + "' to build " + name + " (Debian: gcc), and this executor has none");
        }
        try {
            ownDirectory(cacheRoot);
            ownDirectory(dir);
            Path src = dir.resolve(name + ".c");
            Files.write(src, source);
            Path tmp = dir.resolve(name + ".tmp." + ProcessHandle.current().pid());
            var command = new ArrayList<>(List.of(compiler, "-O2", "-o", tmp.toString(), src.toString()));
            command.addAll(libraryFlags(timeout));
            var out = HostCommand.run(timeout.multipliedBy(6), null, command);
            if (out.exitCode() != 0) {
                String why = out.stderr().contains("cannot find -l") || out.stderr().contains(".h: No such file")
                        ? needs
                        : "the compiler failed";
                throw new AttackException(Reason.PERMISSION_DENIED, purpose + " cannot build " + name + ": " + why
                        + ": " + firstLines(out.stderr()));
            }
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            built = binary;
            return binary;
        } catch (IOException e) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot build " + name + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private List<String> libraryFlags(Duration timeout) {
        if (pkgConfigName != null && HostCommand.onPath("pkg-config")) {
            var out = HostCommand.run(timeout, null, List.of("pkg-config", "--cflags", "--libs", pkgConfigName));
            if (out.exitCode() == 0 && !out.stdout().isBlank()) {
                return List.of(out.stdout().strip().split("\\s+"));
            }
        }
        return fallbackFlags;
    }

    /** Creates {@code dir} only for this user, and refuses one that someone else could have written a binary into. */
    private static void ownDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another thread or JVM made it: checked below like any other
            }
        }
        var owner = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        var permissions = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir,
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (!owner.equals(System.getProperty("user.name")) || !permissions.endsWith("------")
                || Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is not this user's private directory (" + owner + ", " + permissions + ")");
        }
    }

    private byte[] source() {
        String file = name + ".c";
        try (InputStream in = HelperBinary.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new AttackException(Reason.INTERNAL, file + " is missing from the executor's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLines(String text) {
        return String.join(" | ", text.strip().lines().limit(3).toList());
    }

    private static String uid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        } catch (IOException | RuntimeException e) {
            return System.getProperty("user.name");
        }
    }
}
