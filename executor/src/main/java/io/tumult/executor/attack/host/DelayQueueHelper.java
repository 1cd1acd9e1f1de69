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
 * The userspace half of the latency fallback: {@code tumult-delayq}, a small C program (shipped as source in this
 * jar) that holds NFQUEUE packets for the delay and then accepts them. It is compiled at first use against
 * libnetfilter_queue into a directory only this user can write ({@code <tmp>/tumult-helpers-<uid>/<source hash>/}),
 * and reused while the source is unchanged. Without a C compiler or the library's headers it cannot be built, and the
 * run is refused naming what is missing.
 */
final class DelayQueueHelper {

    static final String NAME = "tumult-delayq";
    private static final String SOURCE = NAME + ".c";

    private final String compiler;
    private final Path cacheRoot;
    private Path built;

    DelayQueueHelper(String compiler, Path cacheRoot) {
        this.compiler = compiler;
        this.cacheRoot = cacheRoot;
    }

    /** The default: {@code cc} (gcc or clang), cached under the JVM's temporary directory. */
    static DelayQueueHelper standard() {
        return new DelayQueueHelper("cc", Path.of(System.getProperty("java.io.tmpdir"),
                "tumult-helpers-" + uid()));
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
        Path binary = dir.resolve(NAME);
        if (Files.isExecutable(binary)) {
            built = binary;
            return binary;
        }
        if (!HostCommand.onPath(compiler)) {
            throw new AttackException(Reason.PERMISSION_DENIED, "network-latency without netem needs the C compiler '"
                    + compiler + "' to build its NFQUEUE helper (Debian: gcc, libnetfilter-queue-dev), and this "
                    + "executor has none");
        }
        try {
            ownDirectory(cacheRoot);
            ownDirectory(dir);
            Path src = dir.resolve(SOURCE);
            Files.write(src, source);
            Path tmp = dir.resolve(NAME + ".tmp");
            var command = new ArrayList<>(List.of(compiler, "-O2", "-o", tmp.toString(), src.toString()));
            command.addAll(libraryFlags(timeout));
            var out = HostCommand.run(timeout.multipliedBy(6), null, command);
            if (out.exitCode() != 0) {
                String why = out.stderr().contains("libnetfilter_queue") || out.stderr().contains("netfilter_queue")
                        ? "libnetfilter_queue is missing (Debian: libnetfilter-queue-dev)"
                        : "the compiler failed";
                throw new AttackException(Reason.PERMISSION_DENIED, "network-latency without netem cannot build "
                        + "its NFQUEUE helper: " + why + ": " + firstLines(out.stderr()));
            }
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            built = binary;
            return binary;
        } catch (IOException e) {
            throw new AttackException(Reason.PERMISSION_DENIED, "cannot build the NFQUEUE helper in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static List<String> libraryFlags(Duration timeout) {
        if (HostCommand.onPath("pkg-config")) {
            var out = HostCommand.run(timeout, null, List.of("pkg-config", "--cflags", "--libs", "libnetfilter_queue"));
            if (out.exitCode() == 0 && !out.stdout().isBlank()) {
                return List.of(out.stdout().strip().split("\\s+"));
            }
        }
        return List.of("-lnetfilter_queue", "-lnfnetlink", "-lmnl");
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

    private static byte[] source() {
        try (InputStream in = DelayQueueHelper.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new AttackException(Reason.INTERNAL, SOURCE + " is missing from the executor's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot read " + SOURCE + ": " + e.getMessage(), e);
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
